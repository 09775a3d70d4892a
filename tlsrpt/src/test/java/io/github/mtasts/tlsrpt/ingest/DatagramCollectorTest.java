package io.github.mtasts.tlsrpt.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.socketmap.UnixSocketOwnership;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.datagrams.CapturedDatagrams;
import io.github.mtasts.tlsrpt.datagrams.MalformedDatagramException.Reason;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.DailyReports;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The collector behind a real unix datagram socket, counting into a real SQLite store. */
class DatagramCollectorTest {
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path dir;
    private SqliteAggregateStore store;
    private SqlitePolicyStore policies;
    private DatagramCollector collector;
    private DatagramSocket socket;

    @BeforeEach
    void openStores() {
        store = SqliteAggregateStore.open(dir.resolve("mtasts.db"));
        policies = SqlitePolicyStore.open(dir.resolve("mtasts.db"));
    }

    @AfterEach
    void closeAll() {
        if (socket != null) {
            socket.close();
        }
        if (collector != null) {
            collector.close();
        }
        store.close();
        policies.close();
    }

    private void start(int batchDatagrams, Duration interval) throws Exception {
        collector = new DatagramCollector(store, policies, batchDatagrams, interval, Clock.systemUTC(),
                DatagramCollector.Events.NONE);
        socket = DatagramSocket.bind(dir.resolve("tlsrpt.sock"), OptionalInt.of(0660), UnixSocketOwnership.UNCHANGED,
                collector::accept);
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    private DomainDay row(String domain) {
        return store.day(today()).stream().filter(r -> r.policyDomain().equals(domain)).findFirst().orElseThrow();
    }

    @Test
    void capturedDatagramsSentToTheSocketAreCountedPerDomainAndPolicy() throws Exception {
        start(1000, NEVER);
        try (DatagramSender sender = new DatagramSender(socket.path())) {
            for (byte[] datagram : CapturedDatagrams.all()) {
                sender.send(datagram);
            }
            sender.send(CapturedDatagrams.get(1));
            sender.send(CapturedDatagrams.get(1));
        }
        waitFor(() -> collector.received() == 10);
        collector.close();

        StsPolicy ok = StsPolicy.parse("version: STSv1\nmode: enforce\nmx: mx.ok.test\nmax_age: 86400\n");
        DomainDay okRow = row("ok.test");
        assertThat(okRow.policy()).isEqualTo(PolicyGroup.sts(ServedPolicy.hashOf(ok)));
        assertThat(okRow.successes()).isEqualTo(3);
        assertThat(okRow.failures()).isZero();
        DomainDay selfSigned = row("selfsigned.test");
        assertThat(selfSigned.successes()).isZero();
        assertThat(selfSigned.failures()).isEqualTo(1);
        assertThat(selfSigned.failureDetails()).containsExactly(new DomainDay.FailureCount(new FailureKey(
                ResultType.VALIDATION_FAILURE, "127.0.0.1", "mx.selfsigned.test", "mx.selfsigned.test", "127.0.0.3",
                "self-signed_certificate"), 1));
        assertThat(row("nostarttls.test").failureDetails().get(0).detail().resultType())
                .isEqualTo(ResultType.STARTTLS_NOT_SUPPORTED);
        assertThat(row("nopolicy.test").policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(store.day(today())).hasSize(8);
        assertThat(policies.servedPolicies("ok.test")).extracting(ServedPolicy::policyText)
                .containsExactly(ServedPolicy.textOf(ok));
    }

    @Test
    void aCollectedPolicyCountsAsServedFromBeforeItsDatagramWasRead() throws Exception {
        start(1000, NEVER);
        Instant sent = Instant.now();
        try (DatagramSender sender = new DatagramSender(socket.path())) {
            sender.send(CapturedDatagrams.get(1));
        }
        waitFor(() -> collector.received() == 1);
        collector.close();

        ServedPolicy served = policies.servedPolicies("ok.test").get(0);
        assertThat(served.firstServed()).isBefore(sent.minus(DatagramCollector.RECEIVE_LAG).plusSeconds(1));
        assertThat(served.lastServed()).isAfterOrEqualTo(sent.truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void theReportBuiltFromCollectedDatagramsCarriesThePolicyPostfixApplied() throws Exception {
        start(1000, NEVER);
        try (DatagramSender sender = new DatagramSender(socket.path())) {
            sender.send(CapturedDatagrams.get(1));
            sender.send(CapturedDatagrams.get(5));
        }
        waitFor(() -> collector.received() == 2);
        collector.close();

        List<DailyReport> reports = DailyReports.of(store.day(today()), policies::servedPolicies, false);
        ReportBuilder builder = new ReportBuilder(new ReporterSettings("Example Mail", "tlsrpt@example.net",
                "mail.example.net"));
        JsonNode ok = new ObjectMapper().readTree(builder.build(reports.get(1)).json());
        assertThat(ok.at("/policies/0/policy/policy-type").asText()).isEqualTo("sts");
        assertThat(ok.at("/policies/0/policy/policy-domain").asText()).isEqualTo("ok.test");
        assertThat(ok.at("/policies/0/policy/policy-string").toString())
                .isEqualTo("[\"version: STSv1\",\"mode: enforce\",\"mx: mx.ok.test\",\"max_age: 86400\"]");
        assertThat(ok.at("/policies/0/policy/mx-host").toString()).isEqualTo("[\"mx.ok.test\"]");
        assertThat(ok.at("/policies/0/summary/total-successful-session-count").asLong()).isEqualTo(1);
        JsonNode forced = new ObjectMapper().readTree(builder.build(reports.get(0)).json());
        assertThat(forced.at("/policies/0/failure-details/0/result-type").asText()).isEqualTo("sts-webpki-invalid");
        assertThat(forced.at("/policies/0/failure-details/0/sending-mta-ip").asText()).isEqualTo("127.0.0.1");
        assertThat(forced.at("/policies/0/failure-details/0/receiving-ip").asText()).isEqualTo("127.0.0.2");
        assertThat(forced.at("/policies/0/failure-details/0/receiving-mx-helo").asText()).isEqualTo("mx.ok.test");
    }

    @Test
    void aFullBatchIsCommittedAtOnceAndTheRestAtClose() throws Exception {
        start(2, NEVER);
        try (DatagramSender sender = new DatagramSender(socket.path())) {
            sender.send(CapturedDatagrams.get(1));
            sender.send(CapturedDatagrams.get(1));
            waitFor(() -> !store.day(today()).isEmpty());
            assertThat(row("ok.test").successes()).isEqualTo(2);
            sender.send(CapturedDatagrams.get(1));
        }
        waitFor(() -> collector.received() == 3);
        assertThat(row("ok.test").successes()).as("the third waits for its batch").isEqualTo(2);

        collector.close();

        assertThat(row("ok.test").successes()).isEqualTo(3);
    }

    @Test
    void anOpenBatchIsCommittedWhenItsIntervalIsUp() throws Exception {
        start(1000, Duration.ofMillis(50));
        try (DatagramSender sender = new DatagramSender(socket.path())) {
            sender.send(CapturedDatagrams.get(6));
        }

        waitFor(() -> !store.day(today()).isEmpty());

        assertThat(row("nopolicy.test").successes()).isEqualTo(1);
    }

    @Test
    void malformedDatagramsAreCountedByReasonAndTheSocketKeepsServing() throws Exception {
        start(1000, NEVER);
        try (DatagramSender sender = new DatagramSender(socket.path())) {
            sender.send("not json".getBytes(StandardCharsets.UTF_8));
            sender.send(new String(CapturedDatagrams.get(6), StandardCharsets.UTF_8).replace("\"dpv\": \"1\"",
                    "\"dpv\": \"2\"").getBytes(StandardCharsets.UTF_8));
            sender.send(new byte[0]);
            sender.send(new byte[200_000]);
            sender.send(CapturedDatagrams.get(6));
        }
        waitFor(() -> collector.received() == 1);
        collector.close();

        assertThat(collector.malformed()).isEqualTo(Map.of(Reason.NOT_JSON, 3L, Reason.UNSUPPORTED_VERSION, 1L));
        assertThat(row("nopolicy.test").successes()).isEqualTo(1);
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        // a wait for the other threads, not a timing assertion: the deadline only stops a hung test
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 30 s");
            }
            Thread.sleep(5);
        }
    }
}
