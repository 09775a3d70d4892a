package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.DaneDestinations;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyInForce;
import io.github.mtasts.tlsrpt.aggregate.SendingMtaIps;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.datagrams.CapturedDatagrams;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which source counts a session when Postfix both logs it and sends its datagram (see {@link Ingest}): real
 * Postfix 3.11.6 and 3.10.13 logs and datagrams of the same runs.
 */
class OneSourcePerSessionTest {
    private static final Clock RUN = Clock.fixed(Instant.parse("2026-12-07T16:30:00Z"), ZoneOffset.UTC);
    private static final LocalDate DAY = LocalDate.of(2026, 12, 7);

    @TempDir
    Path dir;

    private Path database() {
        return dir.resolve("mtasts.db");
    }

    private Path log(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/datagrams/" + name)) {
            return Files.write(dir.resolve("mail.log"), in.readAllBytes());
        }
    }

    private void ingestLog(Path log, boolean datagramsCollected) throws IOException {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
             SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            new Ingest(store, new PolicyInForce(policies::servedPolicies, policies::discoveryFailures,
                    PolicyOverrides.NONE, DaneDestinations.NONE, new SendingMtaIps(List.of("127.0.0.1")), RUN, Duration.ofMinutes(1)),
                    new LogLineParser(ZoneOffset.UTC, RUN),
                    () -> new SessionTracker(s -> false, 1000, Duration.ofHours(1)),
                    1000, Duration.ofDays(1), RUN, datagramsCollected).importFile(log);
        }
    }

    private void collect(List<byte[]> datagrams) {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
             SqliteAggregateStore store = SqliteAggregateStore.open(database());
             DatagramCollector collector = new DatagramCollector(store, policies, 1000, Duration.ofDays(1), RUN,
                     DatagramCollector.Events.NONE)) {
            datagrams.forEach(collector::accept);
        }
    }

    private Map<String, DomainDay> counts() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            return store.day(DAY).stream().collect(Collectors.toMap(DomainDay::policyDomain, d -> d));
        }
    }

    private long uncounted() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            return store.stats().uncountedSessions();
        }
    }

    private static long sessions(DomainDay day) {
        return day.successes() + day.failures();
    }

    @Test
    void withTheCollectorOnEverySessionIsCountedOnceFromItsDatagram() throws IOException {
        collect(CapturedDatagrams.all());
        ingestLog(log("postfix-3.11.6/sender.tlsrpt-and-status.log"), true);

        Map<String, DomainDay> counts = counts();
        assertThat(counts.keySet()).containsExactlyInAnyOrder("ok.test", "selfsigned.test", "nostarttls.test",
                "wrongname.test", "failforced.test", "nopolicy.test", "npf.test", "npf2.test");
        assertThat(counts.values()).allSatisfy(day -> assertThat(sessions(day)).isEqualTo(1));
        assertThat(uncounted()).as("the log's TLSRPT sessions, left to the collector").isEqualTo(8);
    }

    @Test
    void withTheCollectorOffTheLogsTlsrptLinesClassifyAsTheDatagramsDo() throws IOException {
        ingestLog(log("postfix-3.11.6/sender.tlsrpt-and-status.log"), false);
        Map<String, DomainDay> fromLog = counts();
        Files.delete(database());
        collect(CapturedDatagrams.all());
        Map<String, DomainDay> fromDatagrams = counts();

        assertThat(fromLog.keySet()).isEqualTo(fromDatagrams.keySet());
        assertThat(fromLog.get("selfsigned.test").failureDetails().get(0).detail()).isEqualTo(new FailureKey(
                ResultType.VALIDATION_FAILURE, "127.0.0.1", "mx.selfsigned.test", "127.0.0.3",
                "self-signed_certificate"));
        for (String domain : fromLog.keySet()) {
            assertThat(sessions(fromLog.get(domain))).as(domain).isEqualTo(1);
            assertThat(fromLog.get(domain).failures()).as(domain).isEqualTo(fromDatagrams.get(domain).failures());
            assertThat(fromLog.get(domain).failureDetails().stream().map(f -> f.detail().resultType()).toList())
                    .as(domain).isEqualTo(fromDatagrams.get(domain).failureDetails().stream()
                            .map(f -> f.detail().resultType()).toList());
        }
    }

    @Test
    void aDatagramPostfixCouldNotSendIsCountedFromTheLog() throws IOException {
        // Postfix 3.10.13: two TLSRPT lines each followed by "Could not report TLS handshake result" (no socket, then
        // a stale one), one sent, and two sessions without a TLSRPT line (a resumed handshake 3.10 does not report,
        // and a delivery at level may)
        ingestLog(log("extras-3.10.13-sender.maillog"), true);

        DomainDay ok = counts().get("ok.test");
        assertThat(ok.successes()).isEqualTo(4);
        assertThat(uncounted()).as("the one datagram that was sent").isEqualTo(1);
    }

    @Test
    void withTheCollectorOffEverySessionOfTheLogIsCounted() throws IOException {
        ingestLog(log("extras-3.10.13-sender.maillog"), false);

        assertThat(counts().get("ok.test").successes()).isEqualTo(5);
        assertThat(uncounted()).isZero();
    }
}
