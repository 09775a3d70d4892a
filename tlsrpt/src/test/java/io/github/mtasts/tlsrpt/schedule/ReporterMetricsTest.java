package io.github.mtasts.tlsrpt.schedule;

import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.datagrams.CapturedDatagrams;
import io.github.mtasts.tlsrpt.ingest.DatagramCollector;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.delivery.Deliverer;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.DeliveryResult;
import io.github.mtasts.tlsrpt.delivery.Destination;
import io.github.mtasts.tlsrpt.delivery.MutableClock;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.report.AppliedPolicy;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.PolicyResult;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ReporterMetricsTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    private static final Instant NOW = Instant.parse("2026-11-29T03:00:00Z");

    @TempDir
    Path dir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReporterMetrics metrics = new ReporterMetrics(registry);

    private static TlsRptReport report(String domain) {
        return new ReportBuilder(new ReporterSettings("Example", "tlsrpt@example.net", "example.net"))
                .build(new DailyReport(DAY, domain, List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 1, 0,
                        List.of()))));
    }

    @Test
    void queueGaugesReadTheStoreAtScrapeTime() {
        MutableClock clock = new MutableClock(NOW);
        try (SqliteDeliveryQueue queue = SqliteDeliveryQueue.open(dir.resolve("q.db"))) {
            metrics.watch(queue, clock);
            for (String domain : List.of("a.test", "b.test", "c.test")) {
                TlsRptReport report = report(domain);
                queue.addReport(report, NOW);
                queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@" + domain, NOW)), null);
            }
            List<QueuedDelivery> due = queue.due(NOW, Optional.empty());
            QueuedDelivery sending = queue.claim(due.get(0), NOW, NOW.plusSeconds(60)).orElseThrow();
            queue.markSending(sending, NOW, "Message-ID <a@x>");
            queue.markDelivered(queue.claim(due.get(1), NOW, NOW.plusSeconds(60)).orElseThrow(), NOW);
            clock.advance(java.time.Duration.ofSeconds(61));
            // Micrometer holds a gauge's object weakly unless told otherwise: the gauges must outlive a collection
            System.gc();

            assertThat(registry.scrape()).contains(
                    "mtasts_tlsrpt_deliveries{state=\"pending\"} 1.0",
                    "mtasts_tlsrpt_deliveries{state=\"sending\"} 0.0",
                    "mtasts_tlsrpt_deliveries{state=\"uncertain\"} 1.0",
                    "mtasts_tlsrpt_deliveries{state=\"delivered\"} 1.0",
                    "mtasts_tlsrpt_deliveries{state=\"failed\"} 0.0");
        }
    }

    @Test
    void attemptsAreCountedByDestinationKindAndOutcome() {
        List<DeliveryResult> results = new java.util.ArrayList<>(List.of(
                new DeliveryResult.Delivered("250"), new DeliveryResult.RetryableFailure("451"),
                new DeliveryResult.PermanentFailure("550"), new DeliveryResult.Delivered("HTTP 200")));
        Deliverer counting = metrics.counting((report, destination, commitPoint) -> results.remove(0));
        TlsRptReport report = report("a.test");
        Destination mail = new Destination.MailRecipient("x@a.test");

        counting.send(report, mail, detail -> true);
        counting.send(report, mail, detail -> true);
        counting.send(report, mail, detail -> true);
        DeliveryResult last = counting.send(report, new Destination.HttpsEndpoint(URI.create("https://a.test/r")),
                detail -> true);

        assertThat(last).isEqualTo(new DeliveryResult.Delivered("HTTP 200"));
        assertThat(registry.scrape()).contains(
                "mtasts_tlsrpt_delivery_attempts_total{kind=\"mailto\",outcome=\"delivered\"} 1.0",
                "mtasts_tlsrpt_delivery_attempts_total{kind=\"mailto\",outcome=\"retryable_failure\"} 1.0",
                "mtasts_tlsrpt_delivery_attempts_total{kind=\"mailto\",outcome=\"permanent_failure\"} 1.0",
                "mtasts_tlsrpt_delivery_attempts_total{kind=\"https\",outcome=\"delivered\"} 1.0");
    }

    @Test
    void ingestCountersFollowCommittedBatches() {
        try (AggregateStore store = metrics.counting(SqliteAggregateStore.open(dir.resolve("a.db")))) {
            AggregateBatch batch = new AggregateBatch();
            for (int i = 0; i < 5; i++) {
                batch.parsedLine();
            }
            batch.rejectedLine(RejectReason.values()[0], "garbage");
            batch.add(new CountedSession(DAY, "a.test", PolicyGroup.NO_POLICY, null));
            batch.add(new CountedSession(DAY, "a.test", PolicyGroup.NO_POLICY, null));
            batch.add(new CountedSession(DAY, "b.test", PolicyGroup.NO_POLICY, new FailureKey(
                    ResultType.CERTIFICATE_EXPIRED, "192.0.2.1", "mx.b.test", "198.51.100.1", "expired")));
            batch.uncountedSession();

            store.commit(batch);

            assertThat(store.day(DAY)).hasSize(2);
            assertThat(registry.scrape()).contains(
                    "mtasts_tlsrpt_ingest_lines_read_total 6.0",
                    "mtasts_tlsrpt_ingest_lines_unparsed_total 1.0",
                    "mtasts_tlsrpt_ingest_sessions_counted_total{result=\"successful\"} 2.0",
                    "mtasts_tlsrpt_ingest_sessions_counted_total{result=\"failed\"} 1.0",
                    "mtasts_tlsrpt_ingest_sessions_uncounted_total 1.0");
        }
    }

    @Test
    void datagramCountersFollowTheCollector() throws Exception {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(dir.resolve("a.db"));
             AggregateStore store = metrics.counting(SqliteAggregateStore.open(dir.resolve("a.db")));
             DatagramCollector collector = new DatagramCollector(store, policies, 1, Duration.ofDays(1),
                     Clock.systemUTC(), metrics.datagramEvents())) {
            collector.accept(CapturedDatagrams.get(1));
            collector.accept(CapturedDatagrams.get(2));
            collector.accept("{".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(registry.scrape()).contains(
                "mtasts_tlsrpt_datagrams_received_total 2.0",
                "mtasts_tlsrpt_datagrams_malformed_total{reason=\"not-json\"} 1.0",
                "mtasts_tlsrpt_datagrams_malformed_total{reason=\"oversize\"} 0.0",
                "mtasts_tlsrpt_ingest_sessions_counted_total{result=\"successful\"} 1.0",
                "mtasts_tlsrpt_ingest_sessions_counted_total{result=\"failed\"} 1.0");
    }
}
