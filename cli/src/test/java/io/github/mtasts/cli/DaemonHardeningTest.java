package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a process, against clients that misbehave: half-sent HTTP requests, HTTP and socketmap
 * connections left idle up to the limit, a client that half-closes, and scrapes without the credentials the dashboard has.
 */
@Timeout(120)
class DaemonHardeningTest {

    private static final String TOKEN = "s3cret-token";
    private static final int MAX_CONNECTIONS = 3;
    /** Postfix's query for an address literal: answered at once, without DNS. */
    private static final String LITERAL_QUERY = "19:postfix [192.0.2.1],";

    @TempDir
    Path dir;

    private Process daemon;
    private int httpPort;
    private int socketmapPort;
    /** The daemon's only name server: it never answers, so a lookup of a name is still pending at a half-close. */
    private DatagramSocket silentNameServer;
    private final List<Socket> sockets = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @BeforeEach
    void startDaemon() throws Exception {
        httpPort = freePort();
        socketmapPort = freePort();
        silentNameServer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Path config = Files.writeString(dir.resolve("mtasts.yml"), """
                host: 127.0.0.1
                port: %d
                shutdown_timeout: 1
                cache: {type: internal}
                dns: {nameservers: ["127.0.0.1:%d"], timeout: 3}
                http: {host: 127.0.0.1, port: %d}
                metrics: {enabled: true}
                dashboard: {enabled: false, token: %s}
                socketmap: {max_connections: %d}
                """.formatted(socketmapPort, silentNameServer.getLocalPort(), httpPort, TOKEN, MAX_CONNECTIONS));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        daemon = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "daemon", "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.out").toFile())
                .start();
        while (!answersSocketmap()) {
            assertThat(daemon.isAlive()).as("daemon running; output: %s", output()).isTrue();
            Thread.sleep(100);
        }
    }

    private boolean answersSocketmap() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), socketmapPort)) {
            socket.setSoTimeout(30_000);
            send(socket, LITERAL_QUERY);
            return read(socket.getInputStream(), 12).equals("9:NOTFOUND ,");
        } catch (IOException e) {
            return false;
        }
    }

    private String output() throws IOException {
        Path out = dir.resolve("daemon.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    @AfterEach
    void stopDaemon() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        daemon.destroy();
        assertThat(daemon.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
        silentNameServer.close();
    }

    private Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        // bounds a read on a hang; no assertion depends on it
        socket.setSoTimeout(60_000);
        sockets.add(socket);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private static String read(InputStream in, int bytes) throws IOException {
        return new String(in.readNBytes(bytes), StandardCharsets.US_ASCII);
    }

    private HttpResponse<String> getMetrics(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsNeedTheDashboardCredentials() throws Exception {
        HttpResponse<String> anonymous = getMetrics(null);
        HttpResponse<String> authorized = getMetrics("Bearer " + TOKEN);

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("mtasts_");
        assertThat(getMetrics("Bearer guess").statusCode()).isEqualTo(401);
        assertThat(authorized.statusCode()).isEqualTo(200);
        assertThat(authorized.body()).contains("mtasts_socketmap_connections");
    }

    @Test
    void halfSentHttpRequestsDoNotHoldUpTheScrape() throws Exception {
        for (int i = 0; i < 2; i++) {
            send(connect(httpPort), "GET / HTTP/1.1\r\nHost: x\r\n");
        }

        HttpResponse<String> scrape = getMetrics("Bearer " + TOKEN);

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("mtasts_socketmap_connections");
    }

    @Test
    void idleHttpConnectionsBeyondTheCapAreClosedAndNeitherTheScrapeNorTheSocketmapIsHeldUp() throws Exception {
        // the daemon's fixed cap is 64; each connection past it closes the longest-idle one
        int beyondCap = 7;
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 64 + beyondCap; i++) {
            idle.add(connect(httpPort));
        }

        HttpResponse<String> scrape = getMetrics("Bearer " + TOKEN);

        assertThat(scrape.statusCode()).isEqualTo(200);
        // the scrape's own connection closed one more
        assertThat(scrape.body()).contains("mtasts_http_connections_capped_total{action=\"closed_idle\"} "
                + (beyondCap + 1) + ".0");
        assertThat(idle.get(0).getInputStream().read()).as("the longest-idle connection is closed").isEqualTo(-1);
        assertThat(output()).as("one log line for all of them").containsOnlyOnce("HTTP connections open, the cap");
        assertThat(answersSocketmap()).as("the socketmap listener still answers").isTrue();
        Socket newest = idle.get(idle.size() - 1);
        send(newest, "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nConnection: close\r\n\r\n");
        assertThat(new String(newest.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void atTheConnectionLimitANewClientIsAnsweredAndTheLongestIdleConnectionClosed() throws Exception {
        // the start-up probe's connection must be gone, or it would be the one closed
        while (!getMetrics("Bearer " + TOKEN).body().contains("mtasts_socketmap_connections 0.0")) {
            Thread.sleep(50);
        }
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            Socket socket = connect(socketmapPort);
            send(socket, LITERAL_QUERY);
            assertThat(read(socket.getInputStream(), 12)).isEqualTo("9:NOTFOUND ,");
            idle.add(socket);
        }

        Socket newcomer = connect(socketmapPort);
        send(newcomer, LITERAL_QUERY);

        assertThat(read(newcomer.getInputStream(), 12)).isEqualTo("9:NOTFOUND ,");
        assertThat(idle.get(0).getInputStream().read()).as("the longest-idle connection is closed").isEqualTo(-1);
        send(idle.get(MAX_CONNECTIONS - 1), LITERAL_QUERY);
        assertThat(read(idle.get(MAX_CONNECTIONS - 1).getInputStream(), 12)).isEqualTo("9:NOTFOUND ,");
    }

    @Test
    void halfClosedClientStillGetsTheAnswerItAskedFor() throws Exception {
        Socket socket = connect(socketmapPort);
        // a name to discover: the answer waits for DNS, so it is still owed when the client half-closes
        send(socket, "20:postfix example.test,");
        socket.shutdownOutput();

        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

        assertThat(answer).matches("\\d+:[A-Z]+.*,");
    }
}
