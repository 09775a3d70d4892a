package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.store.SqliteDatabase;
import io.github.mtasts.tlsrpt.logs.SourceId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The aggregate tables in the resolver's SQLite file ({@code cache.options.filename}), next to its policy tables:
 * one file holds every durable fact (DESIGN.md). The tables have their own version row,
 * {@code aggregate_schema_version}, so the resolver's {@code schema_version} and this schema migrate
 * independently and neither program refuses the other's newer tables. WAL mode lets the daemon write policies
 * while the collector commits batches.
 */
public final class SqliteAggregateStore implements AggregateStore {

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE session_count (
              day TEXT NOT NULL,
              policy_domain TEXT NOT NULL,
              policy_type TEXT NOT NULL,
              policy_hash TEXT NOT NULL,
              success INTEGER NOT NULL,
              failure INTEGER NOT NULL,
              PRIMARY KEY (day, policy_domain, policy_type, policy_hash))""",
            """
            CREATE TABLE failure_detail (
              day TEXT NOT NULL,
              policy_domain TEXT NOT NULL,
              policy_type TEXT NOT NULL,
              policy_hash TEXT NOT NULL,
              result_type TEXT NOT NULL,
              sending_mta_ip TEXT NOT NULL,
              receiving_mx_hostname TEXT NOT NULL,
              receiving_ip TEXT NOT NULL,
              failure_reason_code TEXT NOT NULL,
              count INTEGER NOT NULL,
              PRIMARY KEY (day, policy_domain, policy_type, policy_hash, result_type, sending_mta_ip,
                           receiving_mx_hostname, receiving_ip, failure_reason_code))""",
            """
            CREATE TABLE ingest_offset (
              source TEXT PRIMARY KEY,
              committed_offset INTEGER NOT NULL,
              replay_offset INTEGER NOT NULL)""",
            """
            CREATE TABLE ingest_stats (
              name TEXT PRIMARY KEY,
              count INTEGER NOT NULL)""",
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
            // 4: the receiving MX's EHLO name, which Postfix's TLSRPT datagrams carry, is part of a failure's key;
            // SQLite cannot change a primary key in place, so the table is copied
            List.of("""
                    CREATE TABLE failure_detail_4 (
                      day TEXT NOT NULL,
                      policy_domain TEXT NOT NULL,
                      policy_type TEXT NOT NULL,
                      policy_hash TEXT NOT NULL,
                      result_type TEXT NOT NULL,
                      sending_mta_ip TEXT NOT NULL,
                      receiving_mx_hostname TEXT NOT NULL,
                      receiving_mx_helo TEXT NOT NULL,
                      receiving_ip TEXT NOT NULL,
                      failure_reason_code TEXT NOT NULL,
                      count INTEGER NOT NULL,
                      PRIMARY KEY (day, policy_domain, policy_type, policy_hash, result_type, sending_mta_ip,
                                   receiving_mx_hostname, receiving_mx_helo, receiving_ip, failure_reason_code))""",
                    """
                    INSERT INTO failure_detail_4 SELECT day, policy_domain, policy_type, policy_hash, result_type,
                      sending_mta_ip, receiving_mx_hostname, '', receiving_ip, failure_reason_code, count
                    FROM failure_detail""",
                    "DROP TABLE failure_detail",
                    "ALTER TABLE failure_detail_4 RENAME TO failure_detail",
                    "CREATE INDEX IF NOT EXISTS failure_detail_domain ON failure_detail (policy_domain, day)"));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private final Path file;
    private final Connection connection;
    private final FailureFigures figures;

    private SqliteAggregateStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
        this.figures = new AggregateQueries(this::query, (ps, i, day) -> ps.setString(i, day.toString()));
    }

    @Override
    public FailureFigures figures() {
        return figures;
    }

    /** One connection, so one query at a time, as every other method of this store. */
    private synchronized <T> T query(String what, AggregateQueries.SqlWork<T> work) {
        try {
            return work.apply(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Opens (creating if needed) the database {@code file} and brings the aggregate tables to the current schema. */
    public static SqliteAggregateStore open(Path file) {
        try {
            return new SqliteAggregateStore(file, SqliteDatabase.open(file, "aggregate", "aggregate_schema_version", MIGRATIONS,
                    Duration.ofSeconds(10), SqliteDatabase.Durability.PROCESS_CRASH));
        } catch (SQLException e) {
            throw new AggregateStoreException("cannot open aggregate database " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Optional<SourceOffset> offset(SourceId source) {
        String sql = "SELECT committed_offset, replay_offset, fingerprint, journal_cursor FROM ingest_offset WHERE source = ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, source.key());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new SourceOffset(rs.getLong(1), rs.getLong(2),
                            rs.getString(3), rs.getString(4))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read the offset of " + source.key(), e);
        }
    }

    @Override
    public synchronized Map<SourceId, SourceOffset> offsets(String keyPrefix) {
        String sql = """
                SELECT source, committed_offset, replay_offset, fingerprint, journal_cursor FROM ingest_offset
                WHERE substr(source, 1, length(?1)) = ?1 ORDER BY source""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, keyPrefix);
            try (ResultSet rs = ps.executeQuery()) {
                Map<SourceId, SourceOffset> offsets = new LinkedHashMap<>();
                while (rs.next()) {
                    offsets.put(new SourceId(rs.getString(1)), new SourceOffset(rs.getLong(2), rs.getLong(3),
                            rs.getString(4), rs.getString(5)));
                }
                return offsets;
            }
        } catch (SQLException e) {
            throw failure("read the offsets of " + keyPrefix, e);
        }
    }

    @Override
    public synchronized void commit(AggregateBatch batch) {
        try {
            connection.setAutoCommit(false);
            try {
                addSessions(batch);
                addFailures(batch);
                addStats(batch);
                storeOffsets(batch);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("commit a batch", e);
        }
    }

    private void addSessions(AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO session_count (day, policy_domain, policy_type, policy_hash, success, failure)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (day, policy_domain, policy_type, policy_hash) DO UPDATE SET
                  success = success + excluded.success, failure = failure + excluded.failure""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (Map.Entry<AggregateBatch.CountKey, long[]> e : AggregateRows.sessionsInOrder(batch)) {
                bindCountKey(ps, e.getKey());
                ps.setLong(5, e.getValue()[0]);
                ps.setLong(6, e.getValue()[1]);
                ps.executeUpdate();
            }
        }
    }

    private void addFailures(AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO failure_detail (day, policy_domain, policy_type, policy_hash, result_type, sending_mta_ip,
                  receiving_mx_hostname, receiving_mx_helo, receiving_ip, failure_reason_code, count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (day, policy_domain, policy_type, policy_hash, result_type, sending_mta_ip,
                  receiving_mx_hostname, receiving_mx_helo, receiving_ip, failure_reason_code) DO UPDATE SET
                  count = count + excluded.count""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
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
                ps.executeUpdate();
            }
        }
    }

    private static void bindCountKey(PreparedStatement ps, AggregateBatch.CountKey key) throws SQLException {
        ps.setString(1, key.day().toString());
        ps.setString(2, key.policyDomain());
        ps.setString(3, key.policy().type().rfcName());
        ps.setString(4, key.policy().policyHash());
    }

    private void addStats(AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO ingest_stats (name, count) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET count = count + excluded.count""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (Map.Entry<String, Long> e : AggregateRows.statsInOrder(batch).entrySet()) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue());
                ps.executeUpdate();
            }
        }
        // keep the first few samples of each reason ever seen; later ones add nothing to status
        String sample = """
                INSERT INTO ingest_sample (reason, seq, line)
                SELECT ?1, (SELECT coalesce(max(seq), 0) + 1 FROM ingest_sample WHERE reason = ?1), ?2
                WHERE (SELECT count(*) FROM ingest_sample WHERE reason = ?1) < ?3""";
        try (PreparedStatement ps = connection.prepareStatement(sample)) {
            for (AggregateBatch.Sample s : batch.samples()) {
                ps.setString(1, s.reason().name());
                ps.setString(2, s.text());
                ps.setInt(3, AggregateBatch.SAMPLES_PER_REASON);
                ps.executeUpdate();
            }
        }
    }

    private void storeOffsets(AggregateBatch batch) throws SQLException {
        String sql = """
                INSERT INTO ingest_offset (source, committed_offset, replay_offset, fingerprint, journal_cursor)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source) DO UPDATE SET
                  committed_offset = excluded.committed_offset, replay_offset = excluded.replay_offset,
                  fingerprint = excluded.fingerprint, journal_cursor = excluded.journal_cursor""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (Map.Entry<SourceId, SourceOffset> e : batch.offsets().entrySet()) {
                ps.setString(1, e.getKey().key());
                ps.setLong(2, e.getValue().committed());
                ps.setLong(3, e.getValue().replay());
                ps.setString(4, e.getValue().fingerprint());
                ps.setString(5, e.getValue().cursor());
                ps.executeUpdate();
            }
        }
    }

    @Override
    public synchronized List<DomainDay> day(LocalDate day) {
        String counts = "SELECT " + AggregateRows.COUNT_COLUMNS + " FROM session_count WHERE day = ? "
                + AggregateRows.COUNT_ORDER;
        String details = "SELECT " + AggregateRows.DETAIL_COLUMNS + " FROM failure_detail WHERE day = ? "
                + AggregateRows.DETAIL_ORDER;
        try (PreparedStatement detailQuery = connection.prepareStatement(details);
             PreparedStatement countQuery = connection.prepareStatement(counts)) {
            detailQuery.setString(1, day.toString());
            countQuery.setString(1, day.toString());
            return AggregateRows.day(day, detailQuery, countQuery);
        } catch (SQLException e) {
            throw failure("read the counts of " + day, e);
        } catch (IllegalArgumentException e) {
            throw new AggregateStoreException("aggregate database " + file + ": unreadable row of " + day + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized IngestStats stats() {
        try (PreparedStatement stats = connection.prepareStatement("SELECT name, count FROM ingest_stats");
             PreparedStatement samples = connection.prepareStatement(
                     "SELECT reason, line FROM ingest_sample ORDER BY reason, seq");
             ResultSet statRows = stats.executeQuery();
             ResultSet sampleRows = samples.executeQuery()) {
            return AggregateRows.stats(statRows, sampleRows);
        } catch (SQLException e) {
            throw failure("read the ingest statistics", e);
        }
    }

    private AggregateStoreException failure(String what, SQLException e) {
        return new AggregateStoreException("aggregate database " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }
}
