package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.logs.SourceId;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link AggregateStore} shares; one subclass per implementation, so they cannot drift apart.
 * Each test starts from an empty store.
 */
abstract class AggregateStoreContract {
    static final LocalDate DAY = LocalDate.of(2026, 11, 29);
    static final SourceId LOG = new SourceId("file:/var/log/mail.log#ino=7");
    static final FailureKey EXPIRED = new FailureKey(ResultType.CERTIFICATE_EXPIRED, "192.0.2.1",
            "mx.example.com", "198.51.100.7", "certificate has expired");

    /** A new handle on the test's store (empty at the test's start): another process or host using it. */
    abstract AggregateStore open() throws Exception;

    /** Makes the store itself abort any transaction that stores {@code committed} as an offset. */
    abstract void failOffsetWritesOf(long committed) throws Exception;

    /** The implementation's name for the database in its messages. */
    abstract String databaseName();

    static AggregateBatch batch(int successes, int failures, long committed) {
        return batch("example.com", successes, failures, LOG, committed);
    }

    static AggregateBatch batch(String domain, int successes, int failures, SourceId source, long committed) {
        AggregateBatch batch = new AggregateBatch();
        for (int i = 0; i < successes; i++) {
            batch.add(new CountedSession(DAY, domain, PolicyGroup.sts("abc"), null));
        }
        for (int i = 0; i < failures; i++) {
            batch.add(new CountedSession(DAY, domain, PolicyGroup.sts("abc"), EXPIRED));
        }
        batch.offset(source, new SourceOffset(committed, committed / 2));
        return batch;
    }

    static final FailureKey NO_STARTTLS = new FailureKey(ResultType.STARTTLS_NOT_SUPPORTED, "192.0.2.2",
            "mx2.example.com", "198.51.100.8", "");

    @Test
    void failureFiguresRankDomainsAndBreakFailuresDownInTheStore() throws Exception {
        try (AggregateStore store = open()) {
            AggregateBatch batch = new AggregateBatch();
            LocalDate before = DAY.minusDays(1);
            for (int i = 0; i < 3; i++) {
                batch.add(new CountedSession(DAY, "a.example", PolicyGroup.sts("h1"), EXPIRED));
            }
            batch.add(new CountedSession(before, "a.example", PolicyGroup.NO_POLICY, NO_STARTTLS));
            batch.add(new CountedSession(DAY, "a.example", PolicyGroup.sts("h1"), null));
            batch.add(new CountedSession(DAY, "b.example", PolicyGroup.NO_POLICY, NO_STARTTLS));
            for (int i = 0; i < 5; i++) {
                batch.add(new CountedSession(DAY, "c.example", PolicyGroup.NO_POLICY, null));
            }
            // outside the window
            batch.add(new CountedSession(DAY.minusDays(5), "old.example", PolicyGroup.NO_POLICY, EXPIRED));
            store.commit(batch);
            FailureFigures figures = store.figures();

            assertThat(figures.totals(before, DAY)).isEqualTo(new FailureFigures.Totals(3, 2, 6, 5));
            assertThat(figures.policyTypes(before, DAY)).containsExactly(Map.entry("no-policy-found", 3L),
                    Map.entry("sts", 1L));
            FailureFigures.Ranking ranking = figures.ranking(before, DAY, 2);
            assertThat(ranking.domains()).containsExactly(new FailureFigures.DomainTotal("a.example", 1, 4),
                    new FailureFigures.DomainTotal("b.example", 0, 1));
            assertThat(ranking.more()).isEqualTo(1);
            assertThat(figures.dominantResultTypes(List.of("a.example", "b.example", "c.example"), before, DAY))
                    .containsExactly(Map.entry("a.example", "certificate-expired"),
                            Map.entry("b.example", "starttls-not-supported"));
            assertThat(figures.daily(List.of("a.example", "c.example"), before, DAY)).containsExactly(
                    new FailureFigures.DailyCount("a.example", before, 0, 1),
                    new FailureFigures.DailyCount("a.example", DAY, 1, 3),
                    new FailureFigures.DailyCount("c.example", DAY, 5, 0));
            assertThat(figures.failures("a.example", FailureFigures.Dimension.RECEIVING_MX, before, DAY, 1))
                    .isEqualTo(new FailureFigures.Breakdown(
                            List.of(new FailureFigures.ValueCount("mx.example.com", 3)), 1));
            assertThat(figures.failures("a.example", FailureFigures.Dimension.REASON_CODE, DAY, DAY, 10).values())
                    .containsExactly(new FailureFigures.ValueCount("certificate has expired", 3));
            assertThat(figures.ranking(DAY.plusDays(1), DAY.plusDays(2), 10))
                    .isEqualTo(new FailureFigures.Ranking(List.of(), 0));
        }
    }

    @Test
    void countersAddUpAcrossCommits() throws Exception {
        try (AggregateStore store = open()) {
            store.commit(batch(2, 1, 100));
            store.commit(batch(3, 2, 200));
            List<DomainDay> day = store.day(DAY);
            assertThat(day).hasSize(1);
            assertThat(day.get(0).successes()).isEqualTo(5);
            assertThat(day.get(0).failures()).isEqualTo(3);
            assertThat(day.get(0).failureDetails()).containsExactly(new DomainDay.FailureCount(EXPIRED, 3));
            assertThat(store.offset(LOG)).contains(new SourceOffset(200, 100));
            assertThat(store.day(DAY.plusDays(1))).isEmpty();
        }
    }

    @Test
    void countsAndOffsetsSurviveReopening() throws Exception {
        try (AggregateStore store = open()) {
            store.commit(batch(1, 1, 50));
        }
        try (AggregateStore store = open()) {
            assertThat(store.offset(LOG)).contains(new SourceOffset(50, 25));
            assertThat(store.day(DAY).get(0).successes()).isEqualTo(1);
        }
    }

    @Test
    void fingerprintAndJournalCursorAreStoredWithTheOffsetAndReplacedByTheNextCommit() throws Exception {
        SourceId journal = new SourceId("journal:stdin");
        try (AggregateStore store = open()) {
            AggregateBatch first = new AggregateBatch();
            first.offset(LOG, new SourceOffset(40, 20, "sha256:1:aa", ""));
            first.offset(journal, SourceOffset.ofCursor("s=1;i=a"));
            store.commit(first);
            AggregateBatch second = new AggregateBatch();
            second.offset(LOG, new SourceOffset(80, 80, "sha256:80:bb", ""));
            second.offset(journal, SourceOffset.ofCursor("s=1;i=b"));
            store.commit(second);
        }
        try (AggregateStore store = open()) {
            assertThat(store.offset(LOG)).contains(new SourceOffset(80, 80, "sha256:80:bb", ""));
            assertThat(store.offset(journal)).contains(new SourceOffset(0, 0, "", "s=1;i=b"));
            assertThat(store.offsets("file:")).containsExactly(
                    Map.entry(LOG, new SourceOffset(80, 80, "sha256:80:bb", "")));
        }
    }

    @Test
    void neverReadSourceHasNoOffset() throws Exception {
        try (AggregateStore store = open()) {
            assertThat(store.offset(LOG)).isEmpty();
            assertThat(store.offsets("file:")).isEmpty();
        }
    }

    @Test
    void offsetsByPrefixListEveryInodeOfOnePathOnly() throws Exception {
        SourceId rotated = new SourceId("file:/var/log/mail.log#ino=6");
        SourceId other = new SourceId("file:/var/log/mail.log.other#ino=8");
        try (AggregateStore store = open()) {
            store.commit(batch("example.com", 1, 0, rotated, 10));
            store.commit(batch("example.com", 1, 0, LOG, 20));
            store.commit(batch("example.com", 1, 0, other, 30));

            assertThat(store.offsets("file:/var/log/mail.log#ino=")).containsExactly(
                    Map.entry(rotated, new SourceOffset(10, 5)), Map.entry(LOG, new SourceOffset(20, 10)));
        }
    }

    @Test
    void daysAreOrderedByDomainWithTheirOwnFailureDetails() throws Exception {
        FailureKey starttls = new FailureKey(ResultType.STARTTLS_NOT_SUPPORTED, "192.0.2.1",
                "mx.b.example", "198.51.100.9", "");
        try (AggregateStore store = open()) {
            AggregateBatch batch = batch("b.example", 1, 0, LOG, 10);
            batch.add(new CountedSession(DAY, "b.example", PolicyGroup.sts("abc"), starttls));
            batch.add(new CountedSession(DAY, "a.example", PolicyGroup.NO_POLICY, null));
            store.commit(batch);

            List<DomainDay> day = store.day(DAY);
            assertThat(day).extracting(DomainDay::policyDomain).containsExactly("a.example", "b.example");
            assertThat(day.get(0).policy()).isEqualTo(PolicyGroup.NO_POLICY);
            assertThat(day.get(0).failureDetails()).isEmpty();
            assertThat(day.get(1).failureDetails()).containsExactly(new DomainDay.FailureCount(starttls, 1));
        }
    }

    @Test
    void unavailableStsPolicyIsStoredApartFromPoliciesInForceAndNoPolicy() throws Exception {
        FailureKey fetchError = new FailureKey(ResultType.STS_POLICY_FETCH_ERROR, "192.0.2.1", "mx.example.com",
                "198.51.100.7", "");
        AggregateBatch batch = new AggregateBatch();
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.STS_UNAVAILABLE, fetchError));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.STS_UNAVAILABLE, fetchError));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.NO_POLICY, null));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.sts("abc"), null));
        try (AggregateStore store = open()) {
            store.commit(batch);

            assertThat(store.day(DAY)).containsExactlyInAnyOrder(
                    new DomainDay(DAY, "example.com", PolicyGroup.STS_UNAVAILABLE, 0, 2,
                            List.of(new DomainDay.FailureCount(fetchError, 2))),
                    new DomainDay(DAY, "example.com", PolicyGroup.NO_POLICY, 1, 0, List.of()),
                    new DomainDay(DAY, "example.com", PolicyGroup.sts("abc"), 1, 0, List.of()));
            assertThat(store.day(DAY).stream().filter(d -> d.policy().stsUnavailable()).count()).isEqualTo(1);
        }
    }

    /**
     * A DANE policy is its own key, records and all: two full-certificate records (matching type 0) make one of
     * ~8 KB, beyond what a database may put in one index entry (PostgreSQL's B-tree: 2,704 bytes); so may a
     * failure reason taken from a log line.
     */
    @Test
    void aDanePolicyOfFullCertificateRecordsIsCountedWithItsRecords() throws Exception {
        java.util.Random random = new java.util.Random(8460);
        List<String> records = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            StringBuilder hex = new StringBuilder("3 0 0 ");
            for (int i = 0; i < 2_000; i++) {
                hex.append(String.format("%02x", random.nextInt(256)));
            }
            records.add(hex.toString());
        }
        PolicyGroup dane = PolicyGroup.tlsa(new TlsaPolicy("mx.example.com", records));
        FailureKey mismatch = new FailureKey(ResultType.TLSA_INVALID, "192.0.2.1", "mx.example.com",
                "198.51.100.7", "certificate does not match: " + "x".repeat(4_000));
        AggregateBatch batch = new AggregateBatch();
        batch.add(new CountedSession(DAY, "example.com", dane, null));
        batch.add(new CountedSession(DAY, "example.com", dane, mismatch));
        batch.offset(LOG, new SourceOffset(10, 5));
        try (AggregateStore store = open()) {
            store.commit(batch);
            store.commit(batch("example.com", 1, 0, LOG, 20));
            AggregateBatch again = new AggregateBatch();
            again.add(new CountedSession(DAY, "example.com", dane, mismatch));
            again.offset(LOG, new SourceOffset(30, 15));
            store.commit(again);

            assertThat(store.day(DAY)).contains(new DomainDay(DAY, "example.com", dane, 1, 2,
                    List.of(new DomainDay.FailureCount(mismatch, 2))));
            assertThat(store.day(DAY).stream().filter(d -> d.policy().equals(dane)).findFirst().orElseThrow()
                    .policy().tlsaPolicy().records()).isEqualTo(records.stream().sorted().toList());
        }
    }

    @Test
    void failedCommitStoresNeitherCountsNorOffsets() throws Exception {
        try (AggregateStore store = open()) {
            store.commit(batch(1, 0, 10));
            failOffsetWritesOf(999);
            AggregateBatch failing = batch(5, 5, 999);
            failing.rejectedLine(RejectReason.BAD_TIMESTAMP, "garbage");
            assertThatThrownBy(() -> store.commit(failing))
                    .isInstanceOf(AggregateStoreException.class)
                    .hasMessageContaining(databaseName()).hasMessageContaining("disk on fire");
            assertThat(store.day(DAY).get(0).successes()).isEqualTo(1);
            assertThat(store.day(DAY).get(0).failures()).isZero();
            assertThat(store.offset(LOG)).contains(new SourceOffset(10, 5));
            assertThat(store.stats().rejectedTotal()).isZero();
        }
    }

    @Test
    void statsKeepTheFirstSamplesOfEachReason() throws Exception {
        try (AggregateStore store = open()) {
            for (int i = 0; i < 3; i++) {
                AggregateBatch batch = new AggregateBatch();
                batch.parsedLine();
                batch.uncountedSession();
                batch.rejectedLine(RejectReason.MISSING_TAG, "no tag " + i + "a");
                batch.rejectedLine(RejectReason.MISSING_TAG, "no tag " + i + "b");
                batch.rejectedLine(RejectReason.EMPTY, "");
                store.commit(batch);
            }
            IngestStats stats = store.stats();
            assertThat(stats.parsedLines()).isEqualTo(3);
            assertThat(stats.uncountedSessions()).isEqualTo(3);
            assertThat(stats.rejected()).isEqualTo(Map.of(RejectReason.MISSING_TAG, 6L, RejectReason.EMPTY, 3L));
            assertThat(stats.samples()).extracting(AggregateBatch.Sample::text)
                    .containsExactly("", "", "", "no tag 0a", "no tag 0b", "no tag 1a");
        }
    }

    /**
     * Several writers commit batches touching the same counters in opposite orders at once: every count arrives
     * exactly once (add-only upserts; no writer's batch is lost to a conflict or deadlock).
     */
    @Test
    void concurrentWritersAddUpExactly() throws Exception {
        int writers = 3;
        int batches = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<AggregateStore> stores = new ArrayList<>();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                AggregateStore store = open();
                stores.add(store);
                SourceId source = new SourceId("file:/var/log/writer" + w + ".log#ino=1");
                boolean reversed = w % 2 == 1;
                done.add(pool.submit((Callable<Void>) () -> {
                    for (int b = 1; b <= batches; b++) {
                        AggregateBatch batch = new AggregateBatch();
                        for (String domain : reversed ? List.of("z.example", "a.example") : List.of("a.example",
                                "z.example")) {
                            batch.add(new CountedSession(DAY, domain, PolicyGroup.sts("abc"), null));
                            batch.add(new CountedSession(DAY, domain, PolicyGroup.sts("abc"), EXPIRED));
                        }
                        batch.parsedLine();
                        batch.offset(source, new SourceOffset(b, b));
                        store.commit(batch);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            for (AggregateStore store : stores) {
                store.close();
            }
        }
        try (AggregateStore store = open()) {
            for (DomainDay d : store.day(DAY)) {
                assertThat(d.successes()).isEqualTo(writers * batches);
                assertThat(d.failures()).isEqualTo(writers * batches);
                assertThat(d.failureDetails()).containsExactly(new DomainDay.FailureCount(EXPIRED,
                        (long) writers * batches));
            }
            assertThat(store.day(DAY)).hasSize(2);
            assertThat(store.stats().parsedLines()).isEqualTo(writers * batches);
            assertThat(store.offset(new SourceId("file:/var/log/writer0.log#ino=1")))
                    .contains(new SourceOffset(batches, batches));
        }
    }
}
