package io.github.mtasts.tlsrpt.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.resolver.socketmap.UnixSocketOwnership;
import io.github.mtasts.resolver.store.PostgresPolicyStore;
import io.github.mtasts.testing.PostgresServer;
import io.github.mtasts.tlsrpt.aggregate.PostgresAggregateStore;
import io.github.mtasts.tlsrpt.datagrams.CapturedDatagrams;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.DailyReports;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two collectors, each with its own socket and host name, counting into one real PostgreSQL store, as two MTA hosts
 * of a fleet do: the day's reports are one per policy domain, with both hosts' sessions summed.
 */
@Timeout(180)
class DatagramFleetTest {
    @TempDir
    Path dir;
    private PostgresServer postgres;

    @BeforeEach
    void startPostgres() {
        postgres = PostgresServer.start("fleet");
    }

    @AfterEach
    void stopPostgres() {
        postgres.close();
    }

    /** One MTA host: its store connections, its collector and its socket. */
    private final class Host implements AutoCloseable {
        final PostgresAggregateStore store;
        final PostgresPolicyStore policies;
        final DatagramCollector collector;
        final DatagramSocket socket;

        Host(String name) throws Exception {
            store = PostgresAggregateStore.open(postgres.dsn(), Duration.ofSeconds(5), 1, 2, name);
            policies = PostgresPolicyStore.open(postgres.dsn(), Duration.ofSeconds(5), 1, 1);
            collector = new DatagramCollector(store, policies, 3, Duration.ofMillis(200), Clock.systemUTC(),
                    DatagramCollector.Events.NONE);
            socket = DatagramSocket.bind(dir.resolve(name + ".sock"), OptionalInt.empty(),
                    UnixSocketOwnership.UNCHANGED, collector::accept);
        }

        @Override
        public void close() {
            socket.close();
            collector.close();
            store.close();
            policies.close();
        }
    }

    @Test
    void twoCollectorsOnOneStoreGiveOneReportPerDomainWithTheSummedCounts() throws Exception {
        List<Host> hosts = new ArrayList<>();
        try {
            hosts.add(new Host("mx1"));
            hosts.add(new Host("mx2"));
            // mx1: every captured datagram once; mx2: ok.test three times, self-signed twice
            try (DatagramSender mx1 = new DatagramSender(hosts.get(0).socket.path());
                 DatagramSender mx2 = new DatagramSender(hosts.get(1).socket.path())) {
                for (byte[] datagram : CapturedDatagrams.all()) {
                    mx1.send(datagram);
                }
                for (int i = 0; i < 3; i++) {
                    mx2.send(CapturedDatagrams.get(1));
                }
                mx2.send(CapturedDatagrams.get(2));
                mx2.send(CapturedDatagrams.get(2));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((hosts.get(0).collector.received() < 8 || hosts.get(1).collector.received() < 5)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            for (Host host : hosts) {
                host.close();
            }
        }

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (PostgresAggregateStore store = PostgresAggregateStore.open(postgres.dsn(), Duration.ofSeconds(5), 1, 1,
                "reporter");
             PostgresPolicyStore policies = PostgresPolicyStore.open(postgres.dsn(), Duration.ofSeconds(5), 1, 1)) {
            List<DailyReport> reports = DailyReports.of(store.day(today), policies::servedPolicies, false);
            ReportBuilder builder = new ReportBuilder(new ReporterSettings("Example Mail", "tlsrpt@example.net",
                    "mail.example.net"));
            Map<String, String> summaries = new TreeMap<>();
            for (DailyReport report : reports) {
                JsonNode json = new ObjectMapper().readTree(builder.build(report).json());
                assertThat(json.path("policies")).as(report.policyDomain()).hasSize(1);
                JsonNode summary = json.at("/policies/0/summary");
                summaries.put(report.policyDomain(), summary.path("total-successful-session-count").asLong() + "/"
                        + summary.path("total-failure-session-count").asLong());
            }
            assertThat(summaries).isEqualTo(new TreeMap<>(Map.of("ok.test", "4/0", "selfsigned.test", "0/3",
                    "nostarttls.test", "0/1", "wrongname.test", "0/1", "failforced.test", "0/1",
                    "nopolicy.test", "1/0", "npf.test", "1/0", "npf2.test", "1/0")));
            DailyReport selfSigned = reports.stream().filter(r -> r.policyDomain().equals("selfsigned.test"))
                    .findFirst().orElseThrow();
            assertThat(selfSigned.policies().get(0).failureDetails()).singleElement()
                    .satisfies(detail -> assertThat(detail.failedSessionCount()).isEqualTo(3));
            assertThat(selfSigned.policies().get(0).policy().policyString()).contains("mode: enforce");
        }
    }
}
