package io.github.mtasts.tlsrpt.aggregate;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mtasts.resolver.store.PostgresDatabase;
import io.github.mtasts.resolver.store.PostgresDsn;
import io.github.mtasts.tlsrpt.logs.SourceId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The aggregate tables in a PostgreSQL database that every host of a fleet writes: one report per policy domain
 * then covers all of them. Counters are add-only upserts, so hosts never overwrite each other's counts; each
 * batch's counts and offsets are one transaction, as in {@link SqliteAggregateStore}.
 *
 * <p>Read offsets belong to one host: this store is opened for a host name (config {@code tlsrpt.host_name}) and
 * reads and writes only that host's rows, so two hosts reading files at the same path never resume from each
 * other's offsets. Two processes ingesting the same source under the same host name would count its lines twice;
 * host names must be unique in the fleet. Rows are locked in one fixed order, so concurrent batches cannot
 * deadlock; a transaction the server aborts anyway (deadlock, serialization failure) is run again.
 */
public final class PostgresAggregateStore implements AggregateStore {

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE session_count (
              day DATE NOT NULL,
              policy_domain TEXT NOT NULL,
              policy_type TEXT NOT NULL,
              policy_hash TEXT NOT NULL,
              success BIGINT NOT NULL,
              failure BIGINT NOT NULL,
              PRIMARY KEY (day, policy_domain, policy_type, policy_hash))""",
            """
            CREATE TABLE failure_detail (
              day DATE NOT NULL,
              policy_domain TEXT NOT NULL,
              policy_type TEXT NOT NULL,
              policy_hash TEXT NOT NULL,
              result_type TEXT NOT NULL,
              sending_mta_ip TEXT NOT NULL,
              receiving_mx_hostname TEXT NOT NULL,
              receiving_ip TEXT NOT NULL,
              failure_reason_code TEXT NOT NULL,
              count BIGINT NOT NULL,
              PRIMARY KEY (day, policy_domain, policy_type, policy_hash, result_type, sending_mta_ip,
                           receiving_mx_hostname, receiving_ip, failure_reason_code))""",
            """
            CREATE TABLE ingest_offset (
              host TEXT NOT NULL,
              source TEXT NOT NULL,
              committed_offset BIGINT NOT NULL,
              replay_offset BIGINT NOT NULL,
              updated_at BIGINT NOT NULL,
              PRIMARY KEY (host, source))""",
            """
            CREATE TABLE ingest_stats (
              name TEXT PRIMARY KEY,
              count BIGINT NOT NULL)""",
            """
            CREATE TABLE ingest_sample (
              reason TEXT NOT NULL,
              seq INTEGER NOT NULL,
              line TEXT NOT NULL,
              PRIMARY KEY (reason, seq))"""),
            // 2: a live file's fingerprint and the journal's cursor, kept with the offset (issue #17)
            List.of(
                    "ALTER TABLE ingest_offset ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
                    "ALTER TABLE ingest_offset ADD COLUMN journal_cursor TEXT NOT NULL DEFAULT ''"),
            // 3: the dashboard's domain page reads one domain's window: without these it scans every domain's rows
            List.of("CREATE INDEX IF NOT EXISTS session_count_domain ON session_count (policy_domain, day)",
                    "CREATE INDEX IF NOT EXISTS failure_detail_domain ON failure_detail (policy_domain, day)"),
            // 4: the receiving MX's EHLO name, which Postfix's TLSRPT datagrams carry, is part of a failure's key
            List.of("ALTER TABLE failure_detail ADD COLUMN IF NOT EXISTS receiving_mx_helo TEXT NOT NULL DEFAULT ''",
                    "ALTER TABLE failure_detail DROP CONSTRAINT IF EXISTS failure_detail_pkey",
                    """
                    ALTER TABLE failure_detail ADD PRIMARY KEY (day, policy_domain, policy_type, policy_hash,
                      result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip,
                      failure_reason_code)"""),
            // 5: a B-tree entry holds at most 2,704 bytes, and a DANE policy's key (its TLSA records) or a failure
            // reason from a log line may be longer: the unbounded columns are unique by their digest
            List.of("ALTER TABLE session_count DROP CONSTRAINT IF EXISTS session_count_pkey",
                    """
                    CREATE UNIQUE INDEX IF NOT EXISTS session_count_key
                      ON session_count (day, policy_domain, policy_type, md5(policy_hash))""",
                    "ALTER TABLE failure_detail DROP CONSTRAINT IF EXISTS failure_detail_pkey",
                    """
                    CREATE UNIQUE INDEX IF NOT EXISTS failure_detail_key
                      ON failure_detail (day, policy_domain, policy_type, md5(policy_hash), result_type,
                        sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip,
                        md5(failure_reason_code))"""));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final int ATTEMPTS = 3;

    private final String description;
    private final String host;
    private final HikariDataSource pool;

    private PostgresAggregateStore(String description, String host, HikariDataSource pool) {
        this.description = description;
        this.host = host;
        this.pool = pool;
    }

    /**
     * Connects to {@code dsn} and brings the aggregate tables to the current schema.
     *
     * @param host    this host's name in the fleet: its read offsets are kept under it
     * @param timeout bound of every wait for the server
     * @throws IllegalArgumentException for a malformed dsn or a blank host
     * @throws AggregateStoreException  when the server cannot be reached or its tables are newer than ours
     */
    public static PostgresAggregateStore open(String dsn, Duration timeout, int minSize, int maxSize, String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host name must not be blank");
        }
        String description = "aggregate database " + PostgresDsn.redact(dsn);
        HikariDataSource pool;
        try {
            pool = PostgresDatabase.pool(dsn, "mtasts-aggregates", timeout, minSize, maxSize);
        } catch (SQLException e) {
            throw new AggregateStoreException(description + ": cannot connect: " + e.getMessage(), e);
        }
        try (Connection c = pool.getConnection()) {
            PostgresDatabase.migrate(c, "aggregate", "aggregate_schema_version", MIGRATIONS);
        } catch (SQLException e) {
            pool.close();
            throw new AggregateStoreException(description + ": cannot create the schema: " + e.getMessage(), e);
        }
        return new PostgresAggregateStore(description, host, pool);
    }

    /** The host whose offsets this store reads and writes. */
    public String host() {
        return host;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> T read(String what, SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    @Override
    public FailureFigures figures() {
        return new AggregateQueries(this::query, (ps, i, day) -> ps.setObject(i, day));
    }

    private <T> T query(String what, AggregateQueries.SqlWork<T> work) {
        return read(what, work::apply);
    }

    @Override
    public Optional<SourceOffset> offset(SourceId source) {
        String sql = "SELECT committed_offset, replay_offset, fingerprint, journal_cursor FROM ingest_offset WHERE host = ? AND source = ?";
        return read("read the offset of " + source.key(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, host);
                ps.setString(2, source.key());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new SourceOffset(rs.getLong(1), rs.getLong(2),
                            rs.getString(3), rs.getString(4))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<SourceId, SourceOffset> offsets(String keyPrefix) {
        String sql = """
                SELECT source, committed_offset, replay_offset, fingerprint, journal_cursor FROM ingest_offset
                WHERE host = ? AND left(source, length(?)) = ? ORDER BY source""";
        return read("read the offsets of " + keyPrefix, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, host);
                ps.setString(2, keyPrefix);
                ps.setString(3, keyPrefix);
                try (ResultSet rs = ps.executeQuery()) {
                    Map<SourceId, SourceOffset> offsets = new LinkedHashMap<>();
                    while (rs.next()) {
                        offsets.put(new SourceId(rs.getString(1)), new SourceOffset(rs.getLong(2), rs.getLong(3),
                            rs.getString(4), rs.getString(5)));
                    }
                    return offsets;
                }
            }
        });
    }

    @Override
    public void commit(AggregateBatch batch) {
        try (Connection c = pool.getConnection()) {
            for (int attempt = 1; ; attempt++) {
                c.setAutoCommit(false);
                try {
                    addSessions(c, batch);
                    addFailures(c, batch);
                    addStats(c, batch);
                    storeOffsets(c, batch);
                    c.commit();
                    return;
                } catch (SQLException e) {
                    c.rollback();
                    if (attempt == ATTEMPTS || !PostgresDatabase.isRetryable(e)) {
                        throw e;
                    }
                } catch (RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw failure("commit a batch", e);
        }
    }

    private static void addSessions(Connection c, AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO session_count AS s (day, policy_domain, policy_type, policy_hash, success, failure)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (day, policy_domain, policy_type, md5(policy_hash)) DO UPDATE SET
                  success = s.success + excluded.success, failure = s.failure + excluded.failure""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<AggregateBatch.CountKey, long[]> e : AggregateRows.sessionsInOrder(batch)) {
                bindCountKey(ps, e.getKey());
                ps.setLong(5, e.getValue()[0]);
                ps.setLong(6, e.getValue()[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void addFailures(Connection c, AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO failure_detail AS f (day, policy_domain, policy_type, policy_hash, result_type,
                  sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip, failure_reason_code, count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (day, policy_domain, policy_type, md5(policy_hash), result_type, sending_mta_ip,
                  receiving_mx_hostname, receiving_mx_helo, receiving_ip, md5(failure_reason_code)) DO UPDATE SET
                  count = f.count + excluded.count""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<AggregateBatch.FailureCountKey, Long> e : AggregateRows.failuresInOrder(batch)) {
                bindCountKey(ps, e.getKey().count());
                FailureKey d = e.getKey().detail();
                ps.setString(5, d.resultType().rfcName());
                ps.setString(6, d.sendingMtaIp());
                ps.setString(7, d.receivingMxHostname());
                ps.setString(8, d.receivingMxHelo());
                ps.setString(9, d.receivingIp());
                ps.setString(10, d.failureReasonCode());
                ps.setLong(11, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bindCountKey(PreparedStatement ps, AggregateBatch.CountKey key) throws SQLException {
        ps.setObject(1, key.day());
        ps.setString(2, key.policyDomain());
        ps.setString(3, key.policy().type().rfcName());
        ps.setString(4, key.policy().policyHash());
    }

    private static void addStats(Connection c, AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO ingest_stats AS t (name, count) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET count = t.count + excluded.count""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<String, Long> e : AggregateRows.statsInOrder(batch).entrySet()) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // the first few samples of each reason; two hosts racing for one slot keep one line, not an error
        String sample = """
                INSERT INTO ingest_sample (reason, seq, line)
                SELECT ?, (SELECT coalesce(max(seq), 0) + 1 FROM ingest_sample WHERE reason = ?), ?
                WHERE (SELECT count(*) FROM ingest_sample WHERE reason = ?) < ?
                ON CONFLICT (reason, seq) DO NOTHING""";
        try (PreparedStatement ps = c.prepareStatement(sample)) {
            for (AggregateBatch.Sample s : batch.samples()) {
                ps.setString(1, s.reason().name());
                ps.setString(2, s.reason().name());
                ps.setString(3, s.text());
                ps.setString(4, s.reason().name());
                ps.setInt(5, AggregateBatch.SAMPLES_PER_REASON);
                ps.executeUpdate();
            }
        }
    }

    private void storeOffsets(Connection c, AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO ingest_offset (host, source, committed_offset, replay_offset, updated_at, fingerprint,
                  journal_cursor)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (host, source) DO UPDATE SET committed_offset = excluded.committed_offset,
                  replay_offset = excluded.replay_offset, updated_at = excluded.updated_at,
                  fingerprint = excluded.fingerprint, journal_cursor = excluded.journal_cursor""";
        long now = Instant.now().getEpochSecond();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<SourceId, SourceOffset> e : batch.offsets().entrySet()) {
                ps.setString(1, host);
                ps.setString(2, e.getKey().key());
                ps.setLong(3, e.getValue().committed());
                ps.setLong(4, e.getValue().replay());
                ps.setLong(5, now);
                ps.setString(6, e.getValue().fingerprint());
                ps.setString(7, e.getValue().cursor());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public List<DomainDay> day(LocalDate day) {
        String counts = "SELECT " + AggregateRows.COUNT_COLUMNS + " FROM session_count WHERE day = ? "
                + AggregateRows.COUNT_ORDER;
        String details = "SELECT " + AggregateRows.DETAIL_COLUMNS + " FROM failure_detail WHERE day = ? "
                + AggregateRows.DETAIL_ORDER;
        try (Connection c = pool.getConnection()) {
            // one snapshot: counts and details committed by another host in between must not disagree
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (PreparedStatement detailQuery = c.prepareStatement(details);
                 PreparedStatement countQuery = c.prepareStatement(counts)) {
                detailQuery.setObject(1, day);
                countQuery.setObject(1, day);
                return AggregateRows.day(day, detailQuery, countQuery);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        } catch (SQLException e) {
            throw failure("read the counts of " + day, e);
        } catch (IllegalArgumentException e) {
            throw new AggregateStoreException(description + ": unreadable row of " + day + ": " + e.getMessage(), e);
        }
    }

    @Override
    public IngestStats stats() {
        return read("read the ingest statistics", c -> {
            try (PreparedStatement stats = c.prepareStatement("SELECT name, count FROM ingest_stats");
                 PreparedStatement samples = c.prepareStatement(
                         "SELECT reason, line FROM ingest_sample ORDER BY reason, seq");
                 ResultSet statRows = stats.executeQuery();
                 ResultSet sampleRows = samples.executeQuery()) {
                return AggregateRows.stats(statRows, sampleRows);
            }
        });
    }

    private AggregateStoreException failure(String what, SQLException e) {
        return new AggregateStoreException(description + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        pool.close();
    }
}
