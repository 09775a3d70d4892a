package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.daemon.ResolverDaemon;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.delivery.DeliveryResult;
import io.github.mtasts.tlsrpt.delivery.Destination;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
import io.github.mtasts.tlsrpt.inbound.InboundMetrics;
import io.github.mtasts.tlsrpt.report.AppliedPolicy;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.PolicyResult;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.schedule.ReporterMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard in contrib/ queries only metrics our three processes export. */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "contrib", "grafana-mtasts.json");

    @TempDir
    Path dir;

    @Test
    void everyQueryUsesAMetricTheDaemonTheReporterOrTheMilterExports() throws Exception {
        List<String> queried = queriedMetrics(JsonMapper.builder().build().readTree(DASHBOARD.toFile()));
        String exported = daemonScrape() + reporterScrape() + milterScrape();

        assertThat(queried).contains("mtasts_lookups_total", "mtasts_tlsrpt_deliveries",
                "mtasts_inbound_reports_total");
        for (String metric : queried) {
            assertThat(exported).as("metric %s of the Grafana dashboard", metric)
                    .containsAnyOf("\n" + metric + "{", "\n" + metric + " ");
        }
    }

    private static List<String> queriedMetrics(JsonNode dashboard) {
        List<String> metrics = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            // the Infinity panels read the dashboard's /api tables, not metrics
            if (!"prometheus".equals(panel.path("datasource").path("type").textValue())) {
                continue;
            }
            for (JsonNode target : panel.path("targets")) {
                Matcher m = Pattern.compile("mtasts_[a-z_]+").matcher(target.get("expr").textValue());
                while (m.find()) {
                    metrics.add(m.group());
                }
            }
        }
        return metrics;
    }

    /** A running daemon after an invalid key and one discovery (failing: its name server does not answer). */
    private static String daemonScrape() throws Exception {
        try (ResolverDaemon daemon = new ResolverDaemon(ConfigLoader.parse("test", """
                port: 0
                cache: {type: internal}
                http: {port: 0}
                metrics: {enabled: true}
                dns: {nameservers: ["127.0.0.1:9"], timeout: 1}
                default_zone: {timeout: 2}
                """))) {
            daemon.start();
            InetSocketAddress socketmap = (InetSocketAddress) daemon.socketmapAddress();
            try (Socket socket = new Socket(socketmap.getAddress(), socketmap.getPort())) {
                ask(socket, "postfix [192.0.2.1]");
                ask(socket, "postfix grafana.invalid");
            }
            int port = daemon.httpAddress().orElseThrow().getPort();
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static void ask(Socket socket, String request) throws Exception {
        byte[] payload = request.getBytes(StandardCharsets.US_ASCII);
        OutputStream out = socket.getOutputStream();
        out.write((payload.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.write(payload);
        out.write(',');
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int length = 0;
        for (int c = in.read(); c != ':'; c = in.read()) {
            assertThat(c).as("netstring length digit").isBetween((int) '0', (int) '9');
            length = length * 10 + (c - '0');
        }
        in.readFully(new byte[length + 1]);
    }

    /** The reporter's meters after one committed session, one delivery attempt and a watched queue. */
    private String reporterScrape() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ReporterMetrics metrics = new ReporterMetrics(registry);
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        try (SqliteDeliveryQueue queue = SqliteDeliveryQueue.open(dir.resolve("queue.db"));
             AggregateStore store = metrics.counting(SqliteAggregateStore.open(dir.resolve("aggregates.db")))) {
            metrics.watch(queue, Clock.systemUTC());
            AggregateBatch batch = new AggregateBatch();
            batch.parsedLine();
            batch.add(new CountedSession(day, "example.com", PolicyGroup.NO_POLICY, null));
            batch.uncountedSession();
            store.commit(batch);
            metrics.counting((report, destination, commitPoint) -> new DeliveryResult.Delivered("250 ok"))
                    .send(new ReportBuilder(new ReporterSettings("Example", "tlsrpt@example.net", "example.net"))
                                    .build(new DailyReport(day, "example.com", List.of(new PolicyResult(
                                            AppliedPolicy.noPolicyFound(), 1, 0, List.of())))),
                            new Destination.MailRecipient("tlsrpt@example.com"), detail -> true);
            return registry.scrape();
        }
    }

    private static String milterScrape() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new InboundMetrics(registry);
        return registry.scrape();
    }
}
