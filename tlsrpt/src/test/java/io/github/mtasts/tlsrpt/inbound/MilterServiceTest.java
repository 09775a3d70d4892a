package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.config.MetricsConfig;
import io.github.mtasts.resolver.daemon.HttpAccess;
import io.github.mtasts.tlsrpt.config.DashboardConfig;
import io.github.mtasts.tlsrpt.config.MilterConfig.Disposition;
import io.github.mtasts.tlsrpt.config.MilterConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nightcode.milter.ResponseCode;

@Timeout(60)
class MilterServiceTest {

    @TempDir
    Path dir;

    private static String get(InetSocketAddress address, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void reportMailThroughTheMilterIsStoredAndCountedInMetrics() throws Exception {
        MilterConfig config = new MilterConfig("127.0.0.1", ReportMilterTest.freePort(), 1 << 20,
                Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD),
                new MetricsConfig(true, "127.0.0.1", 0));
        try (MilterService service = MilterService.start(config, () -> SqliteInboundReportStore.open(dir.resolve("cache.db")));
             MilterClient client = new MilterClient(service.milterAddress())) {

            List<ResponseCode> reply = MilterClient.codes(client.send(List.of("<postmaster-smtp-rua@digilicious.com>"),
                    Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML)));

            assertThat(reply).containsExactly(ResponseCode.SMFIR_DISCARD);
            assertThat(get(service.metricsAddress().orElseThrow(), "/metrics"))
                    .contains("mtasts_inbound_reports_total{outcome=\"stored\"} 1.0",
                            "mtasts_inbound_reports_received_total 1.0");
        }
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("cache.db"))) {
            assertThat(store.reports()).singleElement().satisfies(report ->
                    assertThat(report.policies().get(0).successfulSessions()).isEqualTo(5));
        }
    }

    @Test
    void metricsNeedTheCredentialsWhenSome() throws Exception {
        MilterConfig config = new MilterConfig("127.0.0.1", ReportMilterTest.freePort(), 1 << 20, Map.of(),
                new MetricsConfig(true, "127.0.0.1", 0));
        HttpAccess access = new DashboardConfig(false, Optional.of("s3cret"), Optional.empty()).access();
        try (MilterService service = MilterService.start(config, access,
                () -> SqliteInboundReportStore.open(dir.resolve("cache.db")))) {
            URI metrics = URI.create("http://127.0.0.1:" + service.metricsAddress().orElseThrow().getPort()
                    + "/metrics");
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(metrics)
                    .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(bearer.statusCode()).isEqualTo(200);
            assertThat(bearer.body()).contains("mtasts_inbound_reports_received_total 0.0");
        }
    }

    @Test
    void takenMetricsPortStopsStartUpAndReleasesWhatWasStarted() throws Exception {
        int milterPort = ReportMilterTest.freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MilterConfig config = new MilterConfig("127.0.0.1", milterPort, 1 << 20, Map.of(),
                    new MetricsConfig(true, "127.0.0.1", taken.getLocalPort()));

            assertThatThrownBy(() -> MilterService.start(config, () -> SqliteInboundReportStore.open(dir.resolve("cache.db"))))
                    .isInstanceOf(MilterService.StartException.class)
                    .hasMessageStartingWith("cannot serve milter metrics on 127.0.0.1:" + taken.getLocalPort());
        }
        // nothing was left listening: the milter port is free to bind
        try (ServerSocket milter = new ServerSocket(milterPort, 1, InetAddress.getLoopbackAddress())) {
            assertThat(milter.isBound()).isTrue();
        }
    }
}
