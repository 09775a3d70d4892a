package io.github.mtasts.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PostgresPolicyStore;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PostgresServer;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.IngestStats;
import io.github.mtasts.tlsrpt.aggregate.PostgresAggregateStore;
import io.github.mtasts.tlsrpt.aggregate.SourceOffset;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.PostgresDeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.logs.FollowedFile;
import io.github.mtasts.tlsrpt.logs.SourceId;
import io.github.mtasts.tlsrpt.schedule.TlsRptService;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet of two MTA hosts on one real PostgreSQL: each runs the real {@code mtasts tlsrpt ingest} (a child JVM)
 * on its own log with its own {@code host_name} and sending IP, both at once, each killed with SIGKILL at random
 * points and restarted until done; the shared counts then equal those of clean runs. Two reporting instances then
 * race to build and deliver the days: one report per policy domain and day, combining both hosts' sessions, each
 * delivered once to the relay (GreenMail).
 */
@Timeout(900)
class TlsrptFleetTest {
    private static final Instant START = Instant.parse("2026-11-28T20:00:00Z");
    private static final List<LocalDate> DAYS = List.of(LocalDate.of(2026, 11, 28), LocalDate.of(2026, 11, 29));
    private static final Clock AFTER_BOTH_DAYS = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    private static final int CONNECTIONS = 8_000;
    private static final int KILLS = 3;
    private static final List<String> HOSTS = List.of("mx1.fleet.example", "mx2.fleet.example");
    private static final List<String> SENDING_IPS = List.of("192.0.2.1", "192.0.2.2");

    @TempDir
    Path dir;

    private PostgresServer postgres;
    private DnsmasqServer dns;
    private GreenMail relay;
    private int relayPort;

    @BeforeEach
    void start() throws IOException {
        postgres = PostgresServer.start("fleet");
        DnsmasqServer.Builder records = DnsmasqServer.builder();
        for (int d = 0; d < PostfixLogGenerator.DOMAINS; d++) {
            records.txt("_smtp._tls.d" + d + ".example", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example");
        }
        dns = records.start();
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            relayPort = free.getLocalPort();
        }
        relay = new GreenMail(new ServerSetup(relayPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        relay.start();
    }

    @AfterEach
    void stop() {
        try {
            relay.stop();
        } finally {
            try {
                dns.close();
            } finally {
                postgres.close();
            }
        }
    }

    @Test
    void twoHostsKilledMidwayCountExactlyAndTwoReportersDeliverOneCombinedReportPerDomainOnce() throws Exception {
        List<Path> logs = new ArrayList<>();
        for (int h = 0; h < HOSTS.size(); h++) {
            logs.add(Files.writeString(dir.resolve("mail" + h + ".log"),
                    PostfixLogGenerator.generate(8460 + h, CONNECTIONS, START)));
        }
        servePolicies(PostgresPolicyStore.open(postgres.dsn(), Duration.ofSeconds(5), 1, 1));
        // the reference: each host's log counted by one clean run into a SQLite file (tlsrpt.store overrides the
        // cache's database; the served policies are still read from it)
        Path cleanDb = dir.resolve("clean.db");
        for (int h = 0; h < HOSTS.size(); h++) {
            Process clean = ingest(config(h, "{type: sqlite, options: {filename: " + cleanDb + "}}"), logs.get(h));
            assertThat(clean.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(clean.exitValue()).isZero();
        }
        String expected;
        try (AggregateStore store = SqliteAggregateStore.open(cleanDb)) {
            expected = everything(store);
        }
        assertThat(expected).contains("192.0.2.1").contains("192.0.2.2");

        ExecutorService hosts = Executors.newFixedThreadPool(HOSTS.size());
        List<Future<List<Long>>> killedAt = new ArrayList<>();
        try {
            for (int h = 0; h < HOSTS.size(); h++) {
                int host = h;
                killedAt.add(hosts.submit(() -> ingestWithKills(host, logs.get(host))));
            }
            for (Future<List<Long>> kills : killedAt) {
                assertThat(kills.get()).as("committed offsets after each kill").anySatisfy(offset ->
                        assertThat(offset).as("a kill that interrupted a run mid-file").isPositive());
            }
        } finally {
            hosts.shutdownNow();
        }
        try (AggregateStore store = PostgresAggregateStore.open(postgres.dsn(), Duration.ofSeconds(5), 1, 1, "x")) {
            assertThat(everything(store)).isEqualTo(expected);
        }

        Map<String, Long> sessionsByReport = raceTwoReporters();

        Map<String, Long> expectedByReport = new TreeMap<>();
        try (AggregateStore store = SqliteAggregateStore.open(cleanDb)) {
            for (LocalDate day : DAYS) {
                for (DomainDay counts : store.day(day)) {
                    expectedByReport.merge(day + "_" + counts.policyDomain() + "@mail.example.net",
                            counts.successes() + counts.failures(), Long::sum);
                }
            }
        }
        assertThat(sessionsByReport).as("one report per domain and day with both hosts' sessions")
                .isEqualTo(expectedByReport);
    }

    /** Runs host {@code h}'s ingest, killing it {@link #KILLS} times after it made progress, then to its end. */
    private List<Long> ingestWithKills(int h, Path log) throws Exception {
        Path config = config(h, null);
        SourceId source = FollowedFile.idOf(log);
        try (AggregateStore offsets = PostgresAggregateStore.open(postgres.dsn(), Duration.ofSeconds(5), 1, 1,
                HOSTS.get(h))) {
            return ingestWithKills(config, log, source, offsets, new Random(20261129 + h));
        }
    }

    private List<Long> ingestWithKills(Path config, Path log, SourceId source, AggregateStore offsets, Random random)
            throws Exception {
        long size = Files.size(log);
        List<Long> killedAt = new ArrayList<>();
        for (int i = 0; i < KILLS; i++) {
            long before = committed(offsets, source);
            Process child = ingest(config, log);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (child.isAlive() && committed(offsets, source) == before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(random.nextInt(150));
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(1, TimeUnit.MINUTES);
                long at = committed(offsets, source);
                if (at < size) {
                    killedAt.add(at);
                }
            } else {
                assertThat(child.exitValue()).isZero();
            }
        }
        Process last = ingest(config, log);
        assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).isZero();
        assertThat(committed(offsets, source)).isEqualTo(size);
        return killedAt;
    }

    /**
     * Two instances tick at once, each with its own pool, relay connection and clock after both days: returns the
     * sessions each stored report counts, by report id, after checking every delivery was made once.
     */
    private Map<String, Long> raceTwoReporters() throws Exception {
        List<TlsrptReporting> reporters = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(HOSTS.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> ticks = new ArrayList<>();
            for (int h = 0; h < HOSTS.size(); h++) {
                TlsrptReporting reporting = TlsrptReporting.open(config(h, null), List.of(), AFTER_BOTH_DAYS);
                reporters.add(reporting);
                TlsRptService service = new TlsRptService(reporting.dispatch, reporting.queue, reporting.settings,
                        HOSTS.get(h), AFTER_BOTH_DAYS);
                ticks.add(pool.submit((Callable<Void>) () -> {
                    go.await();
                    for (int tick = 0; tick < 3; tick++) {
                        service.tick();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<Void> tick : ticks) {
                tick.get();
            }
        } finally {
            pool.shutdownNow();
            for (TlsrptReporting reporting : reporters) {
                reporting.close();
            }
        }

        Map<String, Long> sessionsByReport = new TreeMap<>();
        Set<String> sendingIps = new TreeSet<>();
        ObjectMapper json = new ObjectMapper();
        int deliveries = 0;
        try (DeliveryQueue queue = PostgresDeliveryQueue.open(postgres.dsn(), Duration.ofSeconds(5), 1, 1)) {
            for (LocalDate day : DAYS) {
                assertThat(queue.dayBuilt(day)).isTrue();
                for (DeliveryQueue.StoredReport stored : queue.reports(day)) {
                    JsonNode report = json.readTree(queue.report(stored.reportId()).orElseThrow().json());
                    long sessions = 0;
                    for (JsonNode policy : report.get("policies")) {
                        sessions += policy.get("summary").get("total-successful-session-count").asLong()
                                + policy.get("summary").get("total-failure-session-count").asLong();
                        for (JsonNode detail : policy.path("failure-details")) {
                            sendingIps.add(detail.get("sending-mta-ip").asText());
                        }
                    }
                    sessionsByReport.put(stored.reportId(), sessions);
                }
            }
            for (QueuedDelivery delivery : queue.deliveries(DAYS.get(0))) {
                assertThat(delivery.state()).isEqualTo(QueuedDelivery.State.DELIVERED);
                assertThat(delivery.attempts()).isEqualTo(1);
                deliveries++;
            }
        }
        assertThat(sendingIps).as("each host's failures carry its own sending IP").containsExactly("192.0.2.1",
                "192.0.2.2");
        assertThat(deliveries).isEqualTo(sessionsByReport.size());
        Map<String, Integer> messagesByReport = new HashMap<>();
        for (MimeMessage message : relay.getReceivedMessages()) {
            String subject = message.getSubject();
            messagesByReport.merge(subject.substring(subject.indexOf("Report-ID: <") + 12, subject.length() - 1), 1,
                    Integer::sum);
        }
        assertThat(messagesByReport).as("each report mailed once").hasSize(sessionsByReport.size())
                .containsOnlyKeys(sessionsByReport.keySet()).allSatisfy((id, count) -> assertThat(count).isOne());
        return sessionsByReport;
    }

    /** Host {@code h}'s configuration; {@code store} overrides the shared PostgreSQL when given. */
    private Path config(int h, String store) throws IOException {
        return Files.writeString(dir.resolve("mx" + h + (store == null ? "" : "-clean") + ".yml"), """
                cache:
                  type: postgres
                  options:
                    dsn: "%s"
                dns:
                  nameservers: ["%s"]
                tlsrpt:
                  host_name: %s
                  sending_mta_ips: [%s]
                  log_timezone: UTC
                  report_recipients_exclude: [tlsrpt@reports.example]
                  batch_lines: 50
                  batch_interval: 0.05
                  %sreport:
                    organization_name: Example Mail
                    contact_info: tlsrpt@mail.example.net
                    submitter_domain: mail.example.net
                    from: tlsrpt-noreply@mail.example.net
                    relay: {host: 127.0.0.1, port: %d}
                    delivery_window: 0
                """.formatted(postgres.dsn(), dns.hostPort(), HOSTS.get(h), SENDING_IPS.get(h),
                store == null ? "" : "store: " + store + "\n  ", relayPort));
    }

    /** Half the domains publish an enforce policy naming their mx host; rogue MX hosts are not named. */
    private static void servePolicies(PostgresPolicyStore store) {
        try (PolicyStore policies = store) {
            for (int d = 0; d < PostfixLogGenerator.DOMAINS; d += 2) {
                String domain = "d" + d + ".example";
                policies.policyServed(domain, StsPolicy.of(PolicyMode.ENFORCE, 604800,
                        List.of(MxPattern.parse("mx." + domain))), START, START.plusSeconds(86400 * 3));
            }
        }
    }

    private static Process ingest(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "tlsrpt", "ingest", "-c", config.toString(), log.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static long committed(AggregateStore offsets, SourceId source) {
        return offsets.offset(source).map(SourceOffset::committed).orElse(0L);
    }

    private static String everything(AggregateStore store) {
        StringBuilder all = new StringBuilder();
        for (LocalDate day : DAYS) {
            for (DomainDay counts : store.day(day)) {
                all.append(counts).append('\n');
            }
        }
        IngestStats stats = store.stats();
        return all.append("parsed=").append(stats.parsedLines()).append(" rejected=")
                .append(new TreeMap<>(stats.rejected())).append(" uncounted=").append(stats.uncountedSessions())
                .toString();
    }
}
