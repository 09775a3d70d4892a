package io.github.mtasts.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.socketmap.Netstring;
import io.github.mtasts.resolver.socketmap.NetstringException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mtasts-bench socketmap} end to end against a small socketmap server on a real loopback socket. */
@Timeout(60)
class BenchCommandTest {

    @TempDir
    Path dir;

    private EchoServer server;

    private record Run(int exitCode, String out, String err) {
    }

    /**
     * Answers each request {@code <map> <key>} with what {@code reply} makes of the key, one thread per connection,
     * decoding with the resolver's own netstring codec, and counts the requests per key.
     */
    private static final class EchoServer implements AutoCloseable {
        final ServerSocket socket;
        final Map<String, AtomicLong> requestsPerKey = new ConcurrentHashMap<>();
        final AtomicLong connections = new AtomicLong();

        EchoServer(UnaryOperator<String> reply) throws IOException {
            socket = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        connections.incrementAndGet();
                        Thread handler = new Thread(() -> serve(s, reply));
                        handler.setDaemon(true);
                        handler.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket s, UnaryOperator<String> reply) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                s.setTcpNoDelay(true);
                Netstring.Decoder decoder = new Netstring.Decoder(10_000);
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                    ByteBuffer input = ByteBuffer.wrap(buf, 0, n);
                    Optional<byte[]> frame;
                    while ((frame = decoder.next(input)).isPresent()) {
                        String request = new String(frame.get(), StandardCharsets.UTF_8);
                        String key = request.substring(request.indexOf(' ') + 1);
                        requestsPerKey.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
                        out.write(reply.apply(key).getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException | NetstringException e) {
                // the load tool closed the connection at the end of its run
            }
        }

        long totalRequests() {
            return requestsPerKey.values().stream().mapToLong(AtomicLong::get).sum();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new BenchCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private Path keys() throws IOException {
        return Files.writeString(dir.resolve("keys.txt"), "a.example\nb.example\nc.example\n");
    }

    private static long jsonLong(String json, String field) {
        int at = json.indexOf("\"" + field + "\":") + field.length() + 3;
        int end = at;
        while (end < json.length() && (Character.isDigit(json.charAt(end)) || json.charAt(end) == '.')) {
            end++;
        }
        return (long) Double.parseDouble(json.substring(at, end));
    }

    @Test
    void everyConnectionCyclesTheKeysAndEveryReplyIsCountedWithoutErrors() throws IOException {
        server = new EchoServer(key -> new String(Netstring.encode("OK echo " + key), StandardCharsets.UTF_8));
        Run run = bench("socketmap", "--port", String.valueOf(server.socket.getLocalPort()),
                "--connections", "8", "--threads", "2", "--duration", "1", "--warmup", "0.2",
                "--keys", keys().toString(), "--expect", "OK echo ", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(server.connections.get()).isEqualTo(8);
        assertThat(server.requestsPerKey.keySet()).containsExactlyInAnyOrder("a.example", "b.example", "c.example");
        long measured = jsonLong(run.out(), "requests");
        assertThat(measured).isPositive().isLessThanOrEqualTo(server.totalRequests());
        assertThat(jsonLong(run.out(), "errors")).isZero();
        assertThat(jsonLong(run.out(), "connections")).isEqualTo(8);
    }

    @Test
    void repliesNotMatchingTheExpectedPrefixAreCountedAsUnexpected() throws IOException {
        server = new EchoServer(key -> "9:NOTFOUND ,");
        Run run = bench("socketmap", "--port", String.valueOf(server.socket.getLocalPort()),
                "--connections", "2", "--duration", "0.5", "--warmup", "0",
                "--keys", keys().toString(), "--expect", "OK", "--json");

        assertThat(run.exitCode()).isEqualTo(BenchCommand.ERRORS);
        assertThat(jsonLong(run.out(), "unexpected_replies")).isEqualTo(jsonLong(run.out(), "requests")).isPositive();
    }

    @Test
    void aReplyThatIsNotASocketmapNetstringIsMalformedAndDropsTheConnection() throws IOException {
        server = new EchoServer(key -> "hello,");
        Run run = bench("socketmap", "--port", String.valueOf(server.socket.getLocalPort()),
                "--connections", "3", "--duration", "0.5", "--warmup", "0", "--keys", keys().toString(), "--json");

        assertThat(run.exitCode()).isEqualTo(BenchCommand.ERRORS);
        assertThat(jsonLong(run.out(), "malformed_replies")).isEqualTo(3);
        assertThat(jsonLong(run.out(), "requests")).isZero();
        assertThat(server.totalRequests()).isEqualTo(3);
    }

    @Test
    void refusedConnectionsAreCountedAsConnectFailures() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Run run = bench("socketmap", "--port", String.valueOf(closedPort), "--connections", "4",
                "--duration", "0.2", "--warmup", "0", "--keys", keys().toString());

        assertThat(run.exitCode()).isEqualTo(BenchCommand.ERRORS);
        assertThat(run.out()).contains("errors        4 (connect 4,");
    }

    @Test
    void ingestRefusesAnExistingStoreRatherThanAddingToIt() throws IOException {
        Path existing = Files.writeString(dir.resolve("old.db"), "");
        Run run = bench("ingest", keys().toString(), "--store", "sqlite:" + existing);

        assertThat(run.exitCode()).isEqualTo(BenchCommand.USAGE);
        assertThat(run.err()).contains("exists");
    }

    @Test
    void aNonLoopbackTargetIsRefusedBeforeAnyConnection() throws IOException {
        Run run = bench("socketmap", "--host", "192.0.2.1", "--port", "8461", "--keys", keys().toString());

        assertThat(run.exitCode()).isEqualTo(BenchCommand.USAGE);
        assertThat(run.err()).contains("only sent to loopback");
    }

    @Test
    void genLogsThenIngestReportsRatesAndTheSessionsFound() throws IOException {
        Run generated = bench("gen-logs", "--lines", "2000", "--seed", "4");
        assertThat(generated.exitCode()).isZero();
        assertThat(generated.err()).contains("HANDSHAKE_FAILURE=");
        Path log = Files.writeString(dir.resolve("maillog"), generated.out());
        Run run = bench("ingest", log.toString(), "--passes", "1", "--now", "2026-11-30T00:00:00Z",
                "--store", "sqlite:" + dir.resolve("aggregate.db"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("lines            " + Files.readAllLines(log).size())
                .contains("(rejected 0)").containsPattern("parse only       best \\d+ lines/s")
                .containsPattern("parse \\+ classify best \\d+ lines/s").contains("SUCCESS=")
                .containsPattern("into sqlite      \\d+ lines/s \\(" + Files.readAllLines(log).size() + " lines, \\d+ successes");
        assertThat(dir.resolve("aggregate.db")).exists();
    }
}
