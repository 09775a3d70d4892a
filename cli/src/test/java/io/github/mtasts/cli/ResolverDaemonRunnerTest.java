package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.socketmap.Netstring;
import io.github.mtasts.testing.ConnectProxy;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.TestCa;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mtasts daemon} as systemd runs it: a process of its own with {@code NOTIFY_SOCKET} and {@code https_proxy}
 * in its environment, policy hosts on port 443 as in production (reached through a CONNECT proxy that forwards to
 * the test's HTTPS port), stopped with SIGTERM.
 */
@Timeout(120)
class ResolverDaemonRunnerTest {

    static TestCa ca;
    static Path caFile;
    static DnsmasqServer dns;
    static PolicyHttpsServer https;
    static ConnectProxy proxy;

    @TempDir
    Path dir;
    EventLoopGroup group;
    final BlockingQueue<String> notifications = new LinkedBlockingQueue<>();
    Process daemon;
    int port;

    @BeforeAll
    static void world(@TempDir Path shared) {
        ca = TestCa.create("runner test CA");
        caFile = shared.resolve("ca.pem");
        ca.writePem(caFile);
        dns = DnsmasqServer.builder()
                .txt("_mta-sts.run-good.test", "v=STSv1; id=r1")
                .txt("_mta-sts.run-hang.test", "v=STSv1; id=h1")
                .start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.run-good.test", ca.issue("mta-sts.run-good.test").serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx.run-good.test\nmax_age: 86400\n"))
                .host("mta-sts.run-hang.test", ca.issue("mta-sts.run-hang.test").serverContext(), Response.hang())
                .start();
        proxy = ConnectProxy.forwardingTo(https.port());
    }

    @AfterAll
    static void stopWorld() {
        if (proxy != null) {
            proxy.close();
        }
        if (https != null) {
            https.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @BeforeEach
    void startDaemon() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Path notifySocket = dir.resolve("notify");
        new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        notifications.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                }).bind(new DomainSocketAddress(notifySocket.toString())).sync();

        port = freePort();
        Path config = Files.writeString(dir.resolve("mtasts.yml"), """
                host: 127.0.0.1
                port: %d
                ca_file: %s
                dns: {nameservers: ["%s"], timeout: 2}
                cache: {type: internal}
                default_zone: {timeout: 3}
                shutdown_timeout: 30
                """.formatted(port, caFile, dns.hostPort()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "daemon", "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.out").toFile());
        builder.environment().put("NOTIFY_SOCKET", notifySocket.toString());
        builder.environment().put("https_proxy", "http://127.0.0.1:" + proxy.port());
        builder.environment().remove("no_proxy");
        builder.environment().remove("NO_PROXY");
        daemon = builder.start();
    }

    @AfterEach
    void stopDaemon() throws Exception {
        daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The next sd_notify(3) datagram; 60 s only guard against a hang. */
    private String nextNotification() throws Exception {
        String state = notifications.poll(60, TimeUnit.SECONDS);
        assertThat(state).as("a notification; daemon output: %s", output()).isNotNull();
        return state;
    }

    private String output() throws IOException {
        Path out = dir.resolve("daemon.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    @Test
    void readyIsNotifiedOnceListeningAndPoliciesAreFetchedThroughTheHttpsProxyOfTheEnvironment() throws Exception {
        assertThat(nextNotification()).startsWith("READY=1");

        // no retry: READY means the socketmap port is already open
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertThat(ask(socket, "postfix run-good.test"))
                    .isEqualTo("OK secure match=mx.run-good.test servername=hostname");
        }
        assertThat(proxy.targets()).contains("mta-sts.run-good.test:443");
    }

    @Test
    void sigtermCompletesTheInFlightAnswerNotifiesStoppingAndExits() throws Exception {
        assertThat(nextNotification()).startsWith("READY=1");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            int before = https.requests("mta-sts.run-hang.test");
            send(socket, "postfix run-hang.test");
            // the policy host has the request: the answer is in flight (it comes at the zone timeout)
            while (https.requests("mta-sts.run-hang.test") == before) {
                assertThat(daemon.isAlive()).as(output()).isTrue();
                Thread.sleep(20);
            }

            daemon.destroy();  // SIGTERM

            assertThat(nextNotification()).isEqualTo("STOPPING=1");
            assertThat(receive(socket.getInputStream())).isEqualTo("NOTFOUND ");
            assertThat(socket.getInputStream().read()).as("closed after the answer").isEqualTo(-1);
        }
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // the JVM reports SIGTERM as 128 + 15 once its shutdown hooks ran (contrib unit: SuccessExitStatus=143)
        assertThat(daemon.exitValue()).as(output()).isEqualTo(143);
        assertThat(output()).contains("stopping: finishing in-flight answers");
    }

    private static String ask(Socket socket, String request) throws IOException {
        send(socket, request);
        return receive(socket.getInputStream());
    }

    private static void send(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(Netstring.encode(request));
        out.flush();
    }

    private static String receive(InputStream in) throws IOException {
        ByteArrayOutputStream length = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != ':') {
            if (b < 0) {
                throw new IOException("connection closed before an answer");
            }
            length.write(b);
        }
        byte[] payload = in.readNBytes(Integer.parseInt(length.toString(StandardCharsets.US_ASCII)));
        if (in.read() != ',') {
            throw new IOException("missing comma");
        }
        return new String(payload, StandardCharsets.UTF_8);
    }
}
