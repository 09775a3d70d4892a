package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.cache.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.logs.SourceId;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteAggregateStoreTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 29);
    private static final SourceId LOG = new SourceId("file:/var/log/mail.log#ino=7");
    private static final FailureDetail EXPIRED = new FailureDetail(ResultType.CERTIFICATE_EXPIRED, "192.0.2.1",
            "mx.example.com", "198.51.100.7", "certificate has expired");

    @TempDir
    Path dir;

    private static AggregateBatch batch(int successes, int failures, long committed) {
        AggregateBatch batch = new AggregateBatch();
        for (int i = 0; i < successes; i++) {
            batch.add(new CountedSession(DAY, "example.com", PolicyGroup.sts("abc"), null));
        }
        for (int i = 0; i < failures; i++) {
            batch.add(new CountedSession(DAY, "example.com", PolicyGroup.sts("abc"), EXPIRED));
        }
        batch.offset(LOG, new SourceOffset(committed, committed / 2));
        return batch;
    }

    @Test
    void countersAddUpAcrossCommits() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(dir.resolve("cache.db"))) {
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
    void unavailableStsPolicyIsStoredApartFromPoliciesInForceAndNoPolicy() {
        FailureDetail fetchError = new FailureDetail(ResultType.STS_POLICY_FETCH_ERROR, "192.0.2.1", "mx.example.com",
                "198.51.100.7", "");
        AggregateBatch batch = new AggregateBatch();
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.STS_UNAVAILABLE, fetchError));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.STS_UNAVAILABLE, fetchError));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.NO_POLICY, null));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.sts("abc"), null));
        try (SqliteAggregateStore store = SqliteAggregateStore.open(dir.resolve("cache.db"))) {
            store.commit(batch);

            assertThat(store.day(DAY)).containsExactlyInAnyOrder(
                    new DomainDay(DAY, "example.com", PolicyGroup.STS_UNAVAILABLE, 0, 2,
                            List.of(new DomainDay.FailureCount(fetchError, 2))),
                    new DomainDay(DAY, "example.com", PolicyGroup.NO_POLICY, 1, 0, List.of()),
                    new DomainDay(DAY, "example.com", PolicyGroup.sts("abc"), 1, 0, List.of()));
            assertThat(store.day(DAY).stream().filter(d -> d.policy().stsUnavailable()).count()).isEqualTo(1);
        }
    }

    @Test
    void daysReadsEveryDayOfTheRangeInDayOrder() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(dir.resolve("cache.db"))) {
            AggregateBatch batch = new AggregateBatch();
            batch.add(new CountedSession(DAY.plusDays(2), "b.example", PolicyGroup.NO_POLICY, null));
            batch.add(new CountedSession(DAY, "z.example", PolicyGroup.NO_POLICY, EXPIRED));
            batch.add(new CountedSession(DAY.minusDays(1), "a.example", PolicyGroup.NO_POLICY, null));
            store.commit(batch);

            List<DomainDay> days = store.days(DAY, DAY.plusDays(2));

            assertThat(days).extracting(DomainDay::day, DomainDay::policyDomain)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(DAY, "z.example"),
                            org.assertj.core.groups.Tuple.tuple(DAY.plusDays(2), "b.example"));
            assertThat(days.get(0).failureDetails()).containsExactly(new DomainDay.FailureCount(EXPIRED, 1));
        }
    }

    @Test
    void daysRefusesARangeEndingBeforeItStarts() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(dir.resolve("cache.db"))) {
            assertThatThrownBy(() -> store.days(DAY, DAY.minusDays(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("day range ends before it starts: 2026-11-29 to 2026-11-28");
        }
    }

    @Test
    void countsAndOffsetsSurviveReopening() {
        Path file = dir.resolve("cache.db");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(file)) {
            store.commit(batch(1, 1, 50));
        }
        try (SqliteAggregateStore store = SqliteAggregateStore.open(file)) {
            assertThat(store.offset(LOG)).contains(new SourceOffset(50, 25));
            assertThat(store.day(DAY).get(0).successes()).isEqualTo(1);
        }
    }

    @Test
    void failedCommitStoresNeitherCountsNorOffsets() throws SQLException {
        Path file = dir.resolve("cache.db");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(file)) {
            store.commit(batch(1, 0, 10));
            // a real SQLite abort at the transaction's last statement, the offset write
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
                st.execute("CREATE TRIGGER fail_offset BEFORE UPDATE ON ingest_offset "
                        + "WHEN NEW.committed_offset = 999 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
            }
            AggregateBatch failing = batch(5, 5, 999);
            failing.rejectedLine(RejectReason.BAD_TIMESTAMP, "garbage");
            assertThatThrownBy(() -> store.commit(failing))
                    .isInstanceOf(AggregateStoreException.class)
                    .hasMessageContaining("cache.db").hasMessageContaining("disk on fire");
            assertThat(store.day(DAY).get(0).successes()).isEqualTo(1);
            assertThat(store.day(DAY).get(0).failures()).isZero();
            assertThat(store.offset(LOG)).contains(new SourceOffset(10, 5));
            assertThat(store.stats().rejectedTotal()).isZero();
        }
    }

    @Test
    void statsKeepTheFirstSamplesOfEachReason() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(dir.resolve("cache.db"))) {
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

    @Test
    void sharesTheFileWithThePolicyStoreWithoutTouchingItsSchemaVersion() throws SQLException {
        Path file = dir.resolve("cache.db");
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(file);
             SqliteAggregateStore store = SqliteAggregateStore.open(file)) {
            store.commit(batch(1, 0, 1));
        }
        try (SqlitePolicyStore reopened = SqlitePolicyStore.open(file);
             Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM schema_version")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(SqlitePolicyStore.SCHEMA_VERSION);
            assertThat(reopened.servedPolicies("example.com")).isEmpty();
        }
    }

    @Test
    void refusesADatabaseWithANewerAggregateSchema() throws SQLException {
        Path file = dir.resolve("cache.db");
        SqliteAggregateStore.open(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("UPDATE aggregate_schema_version SET version = 99");
        }
        assertThatThrownBy(() -> SqliteAggregateStore.open(file))
                .isInstanceOf(AggregateStoreException.class)
                .hasMessageContaining("schema version 99");
    }
}
