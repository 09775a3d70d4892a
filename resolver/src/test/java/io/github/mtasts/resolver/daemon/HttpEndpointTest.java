package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HttpEndpointTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private HttpEndpoint metricsEndpoint(HttpAccess access, Duration requestTimeout) throws IOException {
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, access,
                Map.of("/metrics", HttpEndpoint.prometheus(registry)), requestTimeout);
        open.add(endpoint);
        return endpoint;
    }

    /** A raw connection that has sent {@code bytes} and holds them there. */
    private Socket rawConnection(HttpEndpoint endpoint, String bytes) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), endpoint.address().getPort());
        open.add(socket);
        socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static String readAll(Socket socket) throws IOException {
        try (InputStream in = socket.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private HttpResponse<String> get(HttpEndpoint endpoint, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void halfSentRequestsHoldUpNobodyAndAreClosedAtTheRequestTimeout() throws Exception {
        Counter.builder("mtasts_test_events").register(registry).increment();
        HttpEndpoint endpoint = metricsEndpoint(HttpAccess.OPEN, Duration.ofMillis(500));
        Socket first = rawConnection(endpoint, "GET /metrics HTTP/1.1\r\nHost: x\r\n");
        Socket second = rawConnection(endpoint, "GET /metrics HTTP/1.1\r\nHost: x\r\n");

        assertThat(send(endpoint, "GET", "/metrics").body()).contains("mtasts_test_events_total 1.0");

        // closed by the server without an answer (the read ends; @Timeout bounds it)
        assertThat(readAll(first)).isEmpty();
        assertThat(readAll(second)).isEmpty();
    }

    @Test
    void aSlowPageDoesNotHoldUpTheScrape() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, Map.of(
                "/metrics", HttpEndpoint.prometheus(registry),
                "/", request -> {
                    entered.countDown();
                    release.await();
                    return HttpEndpoint.Response.status(204);
                }));
        open.add(endpoint);
        Socket page = rawConnection(endpoint, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        entered.await();

        assertThat(send(endpoint, "GET", "/metrics").statusCode()).isEqualTo(200);

        release.countDown();
        assertThat(readAll(page)).startsWith("HTTP/1.1 204");
    }

    /** Sends a keep-alive request whose answer has no body and reads that answer: the connection is then idle. */
    private static void ping(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        StringBuilder head = new StringBuilder();
        InputStream in = socket.getInputStream();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            assertThat(b).as("answer to /ping, so far: %s", head).isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 204");
    }

    private double capped(String action) {
        return registry.get("mtasts_http_connections_capped").tag("action", action).functionCounter().count();
    }

    @Test
    void atTheCapTheLongestIdleConnectionIsClosedForANewOneButNotARequestInProgress() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, HttpAccess.OPEN, Map.of(
                "/metrics", HttpEndpoint.prometheus(registry),
                "/ping", request -> HttpEndpoint.Response.status(204),
                "/slow", request -> {
                    entered.countDown();
                    release.await();
                    return HttpEndpoint.Response.status(204);
                }), HttpEndpoint.REQUEST_TIMEOUT, 3);
        open.add(endpoint);
        endpoint.registerMetrics(registry);
        // the oldest connection, but its request is being answered
        Socket inProgress = rawConnection(endpoint, "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        entered.await();
        Socket longestIdle = rawConnection(endpoint, "");
        ping(longestIdle);
        Socket lastIdle = rawConnection(endpoint, "");
        ping(lastIdle);

        HttpResponse<String> scrape = send(endpoint, "GET", "/metrics");

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(longestIdle.getInputStream().read()).as("the longest-idle connection is closed").isEqualTo(-1);
        assertThat(capped("closed_idle")).isEqualTo(1.0);
        assertThat(capped("refused_new")).isZero();
        ping(lastIdle);
        release.countDown();
        assertThat(readAll(inProgress)).as("the request in progress is answered").startsWith("HTTP/1.1 204");
    }

    @Test
    void atTheCapWithEveryConnectionBusyTheNewOneIsClosed() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        HttpEndpoint.Handler slow = request -> {
            entered.countDown();
            release.await();
            return HttpEndpoint.Response.status(204);
        };
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, HttpAccess.OPEN, Map.of("/a", slow, "/b", slow),
                HttpEndpoint.REQUEST_TIMEOUT, 2);
        open.add(endpoint);
        endpoint.registerMetrics(registry);
        Socket first = rawConnection(endpoint, "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Socket second = rawConnection(endpoint, "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        entered.await();

        Socket newcomer = rawConnection(endpoint, "");

        assertThat(newcomer.getInputStream().read()).as("the new connection is closed").isEqualTo(-1);
        assertThat(capped("refused_new")).isEqualTo(1.0);
        assertThat(capped("closed_idle")).isZero();
        release.countDown();
        assertThat(readAll(first)).startsWith("HTTP/1.1 204");
        assertThat(readAll(second)).startsWith("HTTP/1.1 204");
    }

    @Test
    void overlongRequestLineAndHeadersAreRefusedAndClosed() throws Exception {
        HttpEndpoint endpoint = metricsEndpoint(HttpAccess.OPEN, HttpEndpoint.REQUEST_TIMEOUT);
        Socket longLine = rawConnection(endpoint, "GET /metrics?" + "a".repeat(HttpEndpoint.MAX_REQUEST_LINE)
                + " HTTP/1.1\r\nHost: x\r\n\r\n");
        Socket longHeaders = rawConnection(endpoint, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: "
                + "a".repeat(HttpEndpoint.MAX_HEADERS) + "\r\n\r\n");

        assertThat(readAll(longLine)).startsWith("HTTP/1.1 431");
        assertThat(readAll(longHeaders)).startsWith("HTTP/1.1 431");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, Map.of(
                "/a", request -> HttpEndpoint.Response.of(200, "text/plain", "first".getBytes(StandardCharsets.US_ASCII)),
                "/b", request -> HttpEndpoint.Response.of(200, "text/plain", "second".getBytes(StandardCharsets.US_ASCII))));
        open.add(endpoint);
        Socket socket = rawConnection(endpoint, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        String answers = readAll(socket);

        assertThat(answers.indexOf("first")).isPositive().isLessThan(answers.indexOf("second"));
    }

    @Test
    void credentialsGuardMetrics() throws Exception {
        HttpEndpoint endpoint = metricsEndpoint(HttpAccess.of(Optional.of("s3cret"),
                Optional.of("prometheus"), Optional.of("pw")), HttpEndpoint.REQUEST_TIMEOUT);

        HttpResponse<String> anonymous = get(endpoint, "/metrics", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate")).hasSize(2);
        assertThat(get(endpoint, "/metrics", "Bearer guess").statusCode()).isEqualTo(401);
        assertThat(get(endpoint, "/metrics", "Bearer s3cret").statusCode()).isEqualTo(200);
        assertThat(get(endpoint, "/metrics", "Basic " + Base64.getEncoder().encodeToString(
                "prometheus:pw".getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(200);
        assertThat(get(endpoint, "/nothing", null).statusCode()).as("no path is served anonymously").isEqualTo(401);
    }

    @Test
    void openListenerOffLoopbackIsRefused() {
        assertThatThrownBy(() -> HttpEndpoint.start("0.0.0.0", 0,
                Map.of("/metrics", HttpEndpoint.prometheus(registry))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address");
    }

    private HttpResponse<String> send(HttpEndpoint endpoint, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void prometheusHandlerServesTheRegistryAsText() throws Exception {
        Counter.builder("mtasts_test_events").register(registry).increment(3);
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0,
                Map.of("/metrics", HttpEndpoint.prometheus(registry)))) {
            HttpResponse<String> response = send(endpoint, "GET", "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .contains("text/plain; version=0.0.4; charset=utf-8");
            assertThat(response.body()).contains("mtasts_test_events_total 3.0");
            assertThat(send(endpoint, "POST", "/metrics").statusCode()).isEqualTo(405);
            assertThat(send(endpoint, "GET", "/other").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void listenerWithoutHandlersIsRefused() {
        assertThatThrownBy(() -> HttpEndpoint.start("127.0.0.1", 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an HTTP listener without handlers");
    }

    @Test
    void takenPortFailsToStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> HttpEndpoint.start("127.0.0.1", taken.getLocalPort(),
                    Map.of("/metrics", HttpEndpoint.prometheus(registry))))
                    .isInstanceOf(IOException.class);
        }
    }
}
