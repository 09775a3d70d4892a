package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.resolver.store.SqliteDatabase;
import io.github.mtasts.tlsrpt.delivery.DeliveryRows.SqlWork;
import io.github.mtasts.tlsrpt.report.TlsRptReport;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The delivery queue's tables in the shared SQLite file, next to the policy and aggregate tables, with their own
 * version row ({@code queue_schema_version}) so each part migrates on its own. Times are epoch seconds. WAL mode and a
 * busy timeout let {@code tlsrpt run} and {@code tlsrpt send} share the file; conditional updates, not locks held
 * across network I/O, keep them from delivering the same row.
 */
public final class SqliteDeliveryQueue implements DeliveryQueue {

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE report (
              report_id TEXT PRIMARY KEY,
              day TEXT NOT NULL,
              policy_domain TEXT NOT NULL,
              submitter_domain TEXT NOT NULL,
              report_gz BLOB NOT NULL,
              built_time INTEGER NOT NULL,
              routed INTEGER NOT NULL DEFAULT 0,
              note TEXT)""",
            "CREATE INDEX report_day_idx ON report (day)",
            """
            CREATE TABLE delivery (
              report_id TEXT NOT NULL REFERENCES report (report_id),
              destination_key TEXT NOT NULL,
              state TEXT NOT NULL,
              attempts INTEGER NOT NULL,
              next_attempt INTEGER NOT NULL,
              first_attempt INTEGER,
              last_error TEXT,
              delivered_time INTEGER,
              PRIMARY KEY (report_id, destination_key))""",
            "CREATE INDEX delivery_due_idx ON delivery (state, next_attempt)",
            "CREATE INDEX delivery_destination_idx ON delivery (destination_key COLLATE NOCASE)",
            """
            CREATE TABLE report_day (
              day TEXT PRIMARY KEY,
              built_time INTEGER NOT NULL)"""),
            // the 'sending' state: what an operator needs to check an attempt that died past its commit point
            List.of("ALTER TABLE delivery ADD COLUMN sending_detail TEXT"),
            List.of("""
            CREATE TABLE queue_lease (
              name TEXT PRIMARY KEY,
              owner TEXT NOT NULL,
              expires_at_millis INTEGER NOT NULL)"""));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final DeliveryRows.DayColumn DAYS = DeliveryRows.DayColumn.TEXT;

    private final String description;
    private final Connection connection;

    private SqliteDeliveryQueue(Path file, Connection connection) {
        this.description = "delivery queue database " + file;
        this.connection = connection;
    }

    /** Opens (creating if needed) the database {@code file} and brings the queue tables to the current schema. */
    public static SqliteDeliveryQueue open(Path file) {
        try {
            // the sending and delivered marks must survive a power loss right after them, or the report goes out again
            return new SqliteDeliveryQueue(file, SqliteDatabase.open(file, "delivery queue", "queue_schema_version", MIGRATIONS,
                    Duration.ofSeconds(10), SqliteDatabase.Durability.POWER_LOSS));
        } catch (SQLException e) {
            throw new DeliveryQueueException("cannot open delivery queue database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} on the one connection; callers hold this queue's monitor, so no two statements interleave. */
    private <T> T run(String what, SqlWork<T> work) {
        try {
            return work.apply(connection);
        } catch (SQLException e) {
            throw new DeliveryQueueException(description + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean addReport(TlsRptReport report, Instant built) {
        String sql = """
                INSERT OR IGNORE INTO report (report_id, day, policy_domain, submitter_domain, report_gz, built_time)
                VALUES (?, ?, ?, ?, ?, ?)""";
        return run("store report " + report.reportId(), c -> DeliveryRows.addReport(c, DAYS, sql, report, built));
    }

    @Override
    public synchronized Optional<TlsRptReport> report(String reportId) {
        return run("read report " + reportId, c -> DeliveryRows.report(c, DAYS, reportId, description));
    }

    @Override
    public synchronized List<String> unroutedReports(LocalDate day) {
        return run("list the unrouted reports of " + day, c -> DeliveryRows.unroutedReports(c, DAYS, day));
    }

    @Override
    public synchronized void route(String reportId, List<Due> destinations, String note) {
        String insert = """
                INSERT OR IGNORE INTO delivery (report_id, destination_key, state, attempts, next_attempt)
                VALUES (?, ?, 'pending', 0, ?)""";
        run("queue the deliveries of " + reportId, c -> DeliveryRows.inTransaction(c,
                t -> DeliveryRows.route(t, insert, reportId, destinations, note)));
    }

    @Override
    public synchronized boolean dayBuilt(LocalDate day) {
        return run("read the build mark of " + day, c -> DeliveryRows.dayBuilt(c, DAYS, day));
    }

    @Override
    public synchronized void markDayBuilt(LocalDate day, Instant at) {
        String sql = "INSERT OR IGNORE INTO report_day (day, built_time) VALUES (?, ?)";
        run("mark " + day + " built", c -> DeliveryRows.markDayBuilt(c, DAYS, sql, day, at));
    }

    /** One upsert: it inserts, renews our own lease, or takes over an expired one; a live foreign lease stays. */
    @Override
    public synchronized boolean tryLease(String name, String owner, Duration ttl) {
        String sql = """
                INSERT INTO queue_lease (name, owner, expires_at_millis) VALUES (?1, ?2, ?3 + ?4)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at_millis = excluded.expires_at_millis
                WHERE queue_lease.owner = excluded.owner OR queue_lease.expires_at_millis <= ?3""";
        return run("take lease " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, name);
                ps.setString(2, owner);
                ps.setLong(3, System.currentTimeMillis());
                ps.setLong(4, ttl.toMillis());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public synchronized void expedite(LocalDate day, Instant now) {
        run("expedite the deliveries of " + day, c -> DeliveryRows.expedite(c, DAYS, day, now));
    }

    @Override
    public synchronized List<QueuedDelivery> due(Instant now, Optional<LocalDate> day) {
        return run("list due deliveries", c -> DeliveryRows.due(c, DAYS, now, day));
    }

    @Override
    public synchronized Optional<QueuedDelivery> claim(QueuedDelivery delivery, Instant now, Instant leaseUntil) {
        return run("claim " + DeliveryRows.describe(delivery), c -> DeliveryRows.claim(c, delivery, now, leaseUntil));
    }

    @Override
    public synchronized boolean markSending(QueuedDelivery delivery, Instant at, String detail) {
        return run("mark sending " + DeliveryRows.describe(delivery),
                c -> DeliveryRows.markSending(c, delivery, detail));
    }

    @Override
    public synchronized void markDelivered(QueuedDelivery delivery, Instant at) {
        run("mark delivered " + DeliveryRows.describe(delivery), c -> DeliveryRows.markDelivered(c, delivery, at));
    }

    @Override
    public synchronized void markRetry(QueuedDelivery delivery, Instant next, String error) {
        run("schedule a retry of " + DeliveryRows.describe(delivery),
                c -> DeliveryRows.markRetry(c, delivery, next, error));
    }

    @Override
    public synchronized void markFailed(QueuedDelivery delivery, String error) {
        run("give up " + DeliveryRows.describe(delivery), c -> DeliveryRows.markFailed(c, delivery, error));
    }

    @Override
    public synchronized boolean resolveUncertain(String reportId, String destinationKey, Resolution resolution,
                                                 Instant now) {
        return run("resolve " + reportId + " to " + destinationKey,
                c -> DeliveryRows.resolveUncertain(c, reportId, destinationKey, resolution, now));
    }

    @Override
    public synchronized StateCounts counts(Instant now) {
        return run("count deliveries by state", c -> DeliveryRows.counts(c, now));
    }

    @Override
    public synchronized boolean isReportRecipient(String address) {
        String sql = "SELECT 1 FROM delivery WHERE destination_key = ? COLLATE NOCASE LIMIT 1";
        return run("look up report recipient " + address, c -> DeliveryRows.isReportRecipient(c, sql, address));
    }

    @Override
    public synchronized List<QueuedDelivery> deliveries(String policyDomain, LocalDate first, LocalDate last, int limit) {
        return run("list the deliveries of " + policyDomain,
                c -> DeliveryRows.deliveries(c, DAYS, policyDomain, first, last, limit));
    }

    @Override
    public synchronized List<QueuedDelivery> deliveries(LocalDate since) {
        return run("list deliveries", c -> DeliveryRows.deliveries(c, DAYS, since));
    }

    @Override
    public synchronized List<StoredReport> reports(LocalDate day) {
        return run("list the reports of " + day, c -> DeliveryRows.reports(c, DAYS, day));
    }

    @Override
    public synchronized int purgeBefore(LocalDate firstKept) {
        return run("purge reports before " + firstKept, c -> DeliveryRows.inTransaction(c, t -> {
            int purged = DeliveryRows.purgeBefore(t, DAYS, firstKept);
            try (PreparedStatement ps = t.prepareStatement("DELETE FROM queue_lease WHERE expires_at_millis < ?")) {
                ps.setLong(1, System.currentTimeMillis() - DeliveryRows.STALE_LEASE.toMillis());
                ps.executeUpdate();
            }
            return purged;
        }));
    }

    @Override
    public synchronized void close() {
        run("close", c -> {
            c.close();
            return null;
        });
    }
}
