package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(30)
class SocketmapServerTest {

    /**
     * Every listener kind the server offers, TCP and UNIX on each transport: each test runs against all six where
     * the system runs every transport (a kernel without io_uring, or a seccomp profile refusing it, leaves four).
     */
    enum Listener {
        TCP_IO_URING(false, SocketmapTransport.IO_URING), TCP_EPOLL(false, SocketmapTransport.EPOLL),
        TCP_NIO(false, SocketmapTransport.NIO), UNIX_IO_URING(true, SocketmapTransport.IO_URING),
        UNIX_EPOLL(true, SocketmapTransport.EPOLL), UNIX_NIO(true, SocketmapTransport.NIO);

        final boolean unix;
        final SocketmapTransport transport;

        Listener(boolean unix, SocketmapTransport transport) {
            this.unix = unix;
            this.transport = transport;
        }
    }

    static Stream<Listener> listenersThisSystemRuns() {
        return Stream.of(Listener.values()).filter(listener -> listener.transport.isAvailable());
    }

    static Stream<Listener> unixListenersThisSystemRuns() {
        return listenersThisSystemRuns().filter(listener -> listener.unix);
    }

    /** Netty's NIO and io_uring UNIX sockets close at the end of input: see keepsHalfClosedConnectionsOpen. */
    static Stream<Listener> listenersKeepingHalfClosedConnectionsOpen() {
        return listenersThisSystemRuns().filter(listener -> listener.transport.keepsHalfClosedConnectionsOpen(
                listener.unix));
    }

    static Stream<Listener> tcpListenersThisSystemRuns() {
        return listenersThisSystemRuns().filter(listener -> !listener.unix);
    }

    @TempDir
    Path dir;

    /** Known keys answer at once; "slow.example" waits for {@link #slow}; anything else is NOTFOUND. */
    private final Map<String, String> policies = Map.of(
            "example.com", "OK secure match=mx.example.com servername=hostname",
            "example.net", "OK secure match=.example.net servername=hostname");
    private final CompletableFuture<String> slow = new CompletableFuture<>();
    private final CountDownLatch slowAsked = new CountDownLatch(1);
    private final SocketmapResponder responder = request -> {
        if (request.key().equals("slow.example")) {
            slowAsked.countDown();
            return slow;
        }
        return CompletableFuture.completedFuture(policies.getOrDefault(request.key(), "NOTFOUND "));
    };
    private final List<AutoCloseable> open = new ArrayList<>();
    private SocketmapServer server;

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close(Duration.ZERO);
        }
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void answersAQuery(Listener listener) throws Exception {
        start(listener, s -> s);
        assertThat(connect().query("postfix example.com"))
                .isEqualTo("OK secure match=mx.example.com servername=hostname");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void requestSplitAcrossWritesIsAnswered(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient client = connect();
        for (char c : "19:postfix example.com,".toCharArray()) {
            client.sendRaw(String.valueOf(c));
        }
        assertThat(client.receive()).isEqualTo("OK secure match=mx.example.com servername=hostname");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void pipelinedRequestsAreAnsweredInOrderThoughTheFirstIsSlowest(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient client = connect();
        client.sendRaw(new String(Netstring.encode("postfix slow.example"))
                + new String(Netstring.encode("postfix example.net"))
                + new String(Netstring.encode("postfix unknown.example")));
        slowAsked.await();
        slow.complete("OK slow");
        assertThat(client.receive()).isEqualTo("OK slow");
        assertThat(client.receive()).isEqualTo("OK secure match=.example.net servername=hostname");
        assertThat(client.receive()).isEqualTo("NOTFOUND ");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void persistentConnectionServesManyRequests(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient client = connect();
        for (int i = 0; i < 500; i++) {
            String key = i % 2 == 0 ? "example.com" : "host" + i + ".example";
            assertThat(client.query("postfix " + key)).isEqualTo(policies.getOrDefault(key, "NOTFOUND "));
        }
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void requestWithoutSpaceIsAnsweredPermAndTheConnectionStaysUsable(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient client = connect();
        assertThat(client.query("example.com")).isEqualTo("PERM malformed request: expected \"<name> <key>\"");
        assertThat(client.query("postfix example.com")).startsWith("OK secure");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void malformedNetstringClosesOnlyThatConnection(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient bad = connect();
        SocketmapClient good = connect();
        assertThat(good.query("postfix example.com")).startsWith("OK secure");
        bad.sendRaw("5:postfix example.com,");
        assertThat(bad.closedByServer()).isTrue();
        assertThat(good.query("postfix example.net")).startsWith("OK secure");
        assertThat(connect().query("postfix example.com")).startsWith("OK secure");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void requestLongerThanTheLimitClosesTheConnection(Listener listener) throws Exception {
        start(listener, s -> s.withMaxRequestLength(32));
        SocketmapClient client = connect();
        assertThat(client.query("postfix " + "a".repeat(24))).isEqualTo("NOTFOUND ");
        client.send("postfix " + "a".repeat(25));
        assertThat(client.closedByServer()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void atTheLimitANewConnectionIsServedAndTheLongestIdleOneClosed(Listener listener) throws Exception {
        start(listener, s -> s.withMaxConnections(2));
        SocketmapClient first = connect();
        SocketmapClient second = connect();
        assertThat(first.query("postfix example.com")).startsWith("OK");
        assertThat(second.query("postfix example.com")).startsWith("OK");

        SocketmapClient third = connect();
        assertThat(third.query("postfix example.net")).startsWith("OK secure");

        assertThat(first.closedByServer()).isTrue();
        assertThat(second.query("postfix example.net")).startsWith("OK secure");
        assertThat(third.query("postfix example.com")).startsWith("OK secure");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void atTheLimitAConnectionHoldingHalfARequestIsClosedFirst(Listener listener) throws Exception {
        start(listener, s -> s.withMaxConnections(2));
        SocketmapClient half = connect();
        half.sendRaw("19:postfix exam");
        awaitOpenConnections(1);
        SocketmapClient served = connect();
        assertThat(served.query("postfix example.com")).startsWith("OK");

        SocketmapClient next = connect();
        assertThat(next.query("postfix example.com")).startsWith("OK secure");

        assertThat(half.closedByServer()).isTrue();
        assertThat(served.query("postfix example.net")).startsWith("OK secure");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void atTheLimitANewConnectionIsClosedWhenEveryOneAwaitsAnAnswer(Listener listener) throws Exception {
        start(listener, s -> s.withMaxConnections(1));
        SocketmapClient busy = connect();
        busy.send("postfix slow.example");
        slowAsked.await();

        SocketmapClient refused = connect();
        assertThat(refused.closedByServer()).isTrue();

        slow.complete("OK slow");
        assertThat(busy.receive()).isEqualTo("OK slow");
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void halfNetstringHeldOpenIsClosedAfterTheRequestTimeout(Listener listener) throws Exception {
        start(listener, s -> s.withRequestTimeout(Duration.ofMillis(300)));
        SocketmapClient client = connect();
        assertThat(client.query("postfix example.com")).startsWith("OK");
        client.sendRaw("19:postfix exam");
        assertThat(client.closedByServer()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("listenersKeepingHalfClosedConnectionsOpen")
    void halfCloseAfterTheRequestsStillGetsEveryAnswer(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient client = connect();
        client.send("postfix slow.example");
        client.send("postfix example.com");
        client.shutdownOutput();
        slowAsked.await();

        slow.complete("OK slow");

        assertThat(client.receive()).isEqualTo("OK slow");
        assertThat(client.receive()).isEqualTo("OK secure match=mx.example.com servername=hostname");
        assertThat(client.closedByServer()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void halfCloseWithoutPendingRequestsClosesTheConnection(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient client = connect();
        assertThat(client.query("postfix example.com")).startsWith("OK");
        client.shutdownOutput();
        assertThat(client.closedByServer()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void idleConnectionIsClosed(Listener listener) throws Exception {
        start(listener, s -> s.withIdleTimeout(Duration.ofMillis(300)));
        SocketmapClient client = connect();
        assertThat(client.query("postfix example.com")).startsWith("OK");
        assertThat(client.closedByServer()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void gracefulCloseStopsAcceptingAndCompletesTheInFlightAnswer(Listener listener) throws Exception {
        start(listener, s -> s);
        SocketmapClient busy = connect();
        SocketmapClient idle = connect();
        assertThat(idle.query("postfix example.com")).startsWith("OK");
        busy.send("postfix slow.example");
        slowAsked.await();

        Thread closing = new Thread(() -> server.close(Duration.ofSeconds(20)));
        closing.start();
        assertThat(idle.closedByServer()).isTrue();
        awaitRefused();

        slow.complete("OK slow");
        assertThat(busy.receive()).isEqualTo("OK slow");
        assertThat(busy.closedByServer()).isTrue();
        closing.join();
        if (listener.unix) {
            assertThat(dir.resolve("socketmap.sock")).doesNotExist();
        }
    }

    @ParameterizedTest
    @MethodSource("listenersThisSystemRuns")
    void closeGivesUpOnAnAnswerThatOutlastsTheGrace(Listener listener) throws Exception {
        start(listener, s -> s.withAnswerDeadline(Duration.ofMinutes(5)));
        SocketmapClient busy = connect();
        busy.send("postfix slow.example");
        slowAsked.await();
        server.close(Duration.ofMillis(100));
        assertThat(busy.closedByServer()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("unixListenersThisSystemRuns")
    void unixSocketGetsTheConfiguredMode(Listener listener) throws Exception {
        Path path = dir.resolve("socketmap.sock");
        server = new SocketmapServer(SocketmapServerSettings.unix(path, OptionalInt.of(0660)), responder,
                listener.transport);
        server.start();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
    }

    @ParameterizedTest
    @MethodSource("unixListenersThisSystemRuns")
    void staleSocketFileFromAPreviousRunIsReplaced(Listener listener) throws Exception {
        Path path = dir.resolve("socketmap.sock");
        try (ServerSocketChannel previous = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            previous.bind(UnixDomainSocketAddress.of(path));
        }
        assertThat(path).exists();
        start(listener, s -> s);
        assertThat(connect().query("postfix example.com")).startsWith("OK");
    }

    @Test
    void permissionBitsMapToPosixPermissions() {
        assertThat(PosixFilePermissions.toString(SocketmapServer.permissions(0751))).isEqualTo("rwxr-x--x");
    }

    @Test
    void refusesToReplaceAFileThatIsNotASocket() throws Exception {
        Path path = dir.resolve("socketmap.sock");
        Files.writeString(path, "precious");
        server = new SocketmapServer(SocketmapServerSettings.unix(path, OptionalInt.empty()), responder);
        assertThatThrownBy(server::start).isInstanceOf(IOException.class)
                .hasMessageContaining(path.toString()).hasMessageContaining("not a socket");
        assertThat(Files.readString(path)).isEqualTo("precious");
    }

    @Test
    void portInUseFailsStartWithTheAddress() throws Exception {
        start(Listener.TCP_NIO, s -> s);
        int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        SocketmapServer second = new SocketmapServer(
                new SocketmapServerSettings("127.0.0.1", port, java.util.Optional.empty(), OptionalInt.empty(), false,
                        100, 10, Duration.ofSeconds(10), Duration.ofSeconds(1),
                        Duration.ofSeconds(10)), responder, SocketmapTransport.NIO);
        assertThatThrownBy(second::start).isInstanceOf(IOException.class)
                .hasMessageContaining("tcp:127.0.0.1:" + port);
    }

    @ParameterizedTest
    @MethodSource("tcpListenersThisSystemRuns")
    void reusePortLetsTwoServersShareThePort(Listener listener) throws Exception {
        start(listener, s -> s);
        int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        SocketmapServer second = new SocketmapServer(SocketmapServerSettings.tcp("127.0.0.1", port), responder,
                listener.transport);
        second.start();
        open.add(() -> second.close(Duration.ZERO));
        server.close(Duration.ZERO);
        assertThat(connect().query("postfix example.com")).startsWith("OK");
    }

    private void start(Listener listener, UnaryOperator<SocketmapServerSettings> customise) throws IOException {
        SocketmapServerSettings base = listener.unix
                ? SocketmapServerSettings.unix(dir.resolve("socketmap.sock"), OptionalInt.empty())
                : SocketmapServerSettings.tcp("127.0.0.1", 0);
        server = new SocketmapServer(customise.apply(base), responder, listener.transport);
        server.start();
    }

    private SocketmapClient connect() throws IOException {
        SocketmapClient client = SocketmapClient.connect(address());
        open.add(client);
        return client;
    }

    private SocketAddress address() {
        return server.localAddress();
    }

    /** Until the server has set up that many connections (bounded by {@code @Timeout}). */
    private void awaitOpenConnections(int count) throws InterruptedException {
        while (server.openConnections() < count) {
            Thread.sleep(10);
        }
    }

    private void awaitRefused() throws InterruptedException {
        SocketAddress address = address();
        while (true) {
            try (SocketmapClient probe = SocketmapClient.connect(address)) {
                Thread.sleep(20);
            } catch (IOException refused) {
                return;
            }
        }
    }
}
