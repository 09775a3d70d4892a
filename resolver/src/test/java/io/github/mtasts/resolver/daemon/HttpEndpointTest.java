package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HttpEndpointTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient http = HttpClient.newHttpClient();

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
