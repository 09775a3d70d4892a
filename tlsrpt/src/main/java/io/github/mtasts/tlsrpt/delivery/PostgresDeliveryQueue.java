package io.github.mtasts.tlsrpt.delivery;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mtasts.resolver.store.PostgresDatabase;
import io.github.mtasts.resolver.store.PostgresDsn;
import io.github.mtasts.tlsrpt.delivery.DeliveryRows.SqlWork;
import io.github.mtasts.tlsrpt.report.TlsRptReport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The delivery queue in the PostgreSQL database a fleet shares, the tables of {@link SqliteDeliveryQueue} with their
 * own version table ({@code queue_schema_version}). Every reporting instance of the fleet may run against it: a
 * report id is stored once, destinations are queued once, and a delivery is taken by a conditional update that only
 * one instance's transaction can win (under READ COMMITTED the loser's update re-reads the winner's row and matches
 * nothing), so no lock is held across network I/O. Which instance builds a day is settled by a lease judged by
 * the server's clock, so the instances' clocks need not agree. Times are BIGINT epoch seconds.
 */
public final class PostgresDeliveryQueue implements DeliveryQueue {

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE report (
              report_id TEXT PRIMARY KEY,
              day DATE NOT NULL,
              policy_domain TEXT NOT NULL,
              submitter_domain TEXT NOT NULL,
              report_gz BYTEA NOT NULL,
              built_time BIGINT NOT NULL,
              routed BOOLEAN NOT NULL DEFAULT FALSE,
              note TEXT)""",
            "CREATE INDEX report_day_idx ON report (day)",
            """
            CREATE TABLE delivery (
              report_id TEXT NOT NULL REFERENCES report (report_id),
              destination_key TEXT NOT NULL,
              state TEXT NOT NULL,
              attempts INTEGER NOT NULL,
              next_attempt BIGINT NOT NULL,
              first_attempt BIGINT,
              last_error TEXT,
              delivered_time BIGINT,
              sending_detail TEXT,
              PRIMARY KEY (report_id, destination_key))""",
            "CREATE INDEX delivery_due_idx ON delivery (state, next_attempt)",
            "CREATE INDEX delivery_destination_idx ON delivery (lower(destination_key))",
            """
            CREATE TABLE report_day (
              day DATE PRIMARY KEY,
              built_time BIGINT NOT NULL)""",
            """
            CREATE TABLE queue_lease (
              name TEXT PRIMARY KEY,
              owner TEXT NOT NULL,
              expires_at_millis BIGINT NOT NULL)"""));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final DeliveryRows.DayColumn DAYS = DeliveryRows.DayColumn.DATE;

    private final String description;
    private final HikariDataSource pool;

    private PostgresDeliveryQueue(String description, HikariDataSource pool) {
        this.description = description;
        this.pool = pool;
    }

    /**
     * Connects to {@code dsn} and brings the queue tables to the current schema.
     *
     * @param timeout bound of every wait for the server
     * @throws IllegalArgumentException for a malformed dsn
     * @throws DeliveryQueueException   when the server cannot be reached or its tables are newer than ours
     */
    public static PostgresDeliveryQueue open(String dsn, Duration timeout, int minSize, int maxSize) {
        String description = "delivery queue database " + PostgresDsn.redact(dsn);
        HikariDataSource pool;
        try {
            pool = PostgresDatabase.pool(dsn, "mtasts-delivery-queue", timeout, minSize, maxSize);
        } catch (SQLException e) {
            throw new DeliveryQueueException(description + ": cannot connect: " + e.getMessage(), e);
        }
        try (Connection c = pool.getConnection()) {
            PostgresDatabase.migrate(c, "delivery queue", "queue_schema_version", MIGRATIONS);
        } catch (SQLException e) {
            pool.close();
            throw new DeliveryQueueException(description + ": cannot create the schema: " + e.getMessage(), e);
        }
        return new PostgresDeliveryQueue(description, pool);
    }

    private <T> T run(String what, SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new DeliveryQueueException(description + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean addReport(TlsRptReport report, Instant built) {
        String sql = """
                INSERT INTO report (report_id, day, policy_domain, submitter_domain, report_gz, built_time)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (report_id) DO NOTHING""";
        return run("store report " + report.reportId(), c -> DeliveryRows.addReport(c, DAYS, sql, report, built));
    }

    @Override
    public Optional<TlsRptReport> report(String reportId) {
        return run("read report " + reportId, c -> DeliveryRows.report(c, DAYS, reportId, description));
    }

    @Override
    public List<String> unroutedReports(LocalDate day) {
        return run("list the unrouted reports of " + day, c -> DeliveryRows.unroutedReports(c, DAYS, day));
    }

    @Override
    public void route(String reportId, List<Due> destinations, String note) {
        String insert = """
                INSERT INTO delivery (report_id, destination_key, state, attempts, next_attempt)
                VALUES (?, ?, 'pending', 0, ?) ON CONFLICT (report_id, destination_key) DO NOTHING""";
        run("queue the deliveries of " + reportId, c -> DeliveryRows.inTransaction(c,
                t -> DeliveryRows.route(t, insert, reportId, destinations, note)));
    }

    @Override
    public boolean dayBuilt(LocalDate day) {
        return run("read the build mark of " + day, c -> DeliveryRows.dayBuilt(c, DAYS, day));
    }

    @Override
    public void markDayBuilt(LocalDate day, Instant at) {
        String sql = "INSERT INTO report_day (day, built_time) VALUES (?, ?) ON CONFLICT (day) DO NOTHING";
        run("mark " + day + " built", c -> DeliveryRows.markDayBuilt(c, DAYS, sql, day, at));
    }

    @Override
    public boolean tryLease(String name, String owner, Duration ttl) {
        return run("take lease " + name, c -> PostgresDatabase.tryLease(c, "queue_lease", name, owner, ttl));
    }

    @Override
    public void expedite(LocalDate day, Instant now) {
        run("expedite the deliveries of " + day, c -> DeliveryRows.expedite(c, DAYS, day, now));
    }

    @Override
    public List<QueuedDelivery> due(Instant now, Optional<LocalDate> day) {
        return run("list due deliveries", c -> DeliveryRows.due(c, DAYS, now, day));
    }

    @Override
    public Optional<QueuedDelivery> claim(QueuedDelivery delivery, Instant now, Instant leaseUntil) {
        return run("claim " + DeliveryRows.describe(delivery), c -> DeliveryRows.claim(c, delivery, now, leaseUntil));
    }

    @Override
    public boolean markSending(QueuedDelivery delivery, Instant at, String detail) {
        return run("mark sending " + DeliveryRows.describe(delivery),
                c -> DeliveryRows.markSending(c, delivery, detail));
    }

    @Override
    public void markDelivered(QueuedDelivery delivery, Instant at) {
        run("mark delivered " + DeliveryRows.describe(delivery), c -> DeliveryRows.markDelivered(c, delivery, at));
    }

    @Override
    public void markRetry(QueuedDelivery delivery, Instant next, String error) {
        run("schedule a retry of " + DeliveryRows.describe(delivery),
                c -> DeliveryRows.markRetry(c, delivery, next, error));
    }

    @Override
    public void markFailed(QueuedDelivery delivery, String error) {
        run("give up " + DeliveryRows.describe(delivery), c -> DeliveryRows.markFailed(c, delivery, error));
    }

    @Override
    public boolean resolveUncertain(String reportId, String destinationKey, Resolution resolution, Instant now) {
        return run("resolve " + reportId + " to " + destinationKey,
                c -> DeliveryRows.resolveUncertain(c, reportId, destinationKey, resolution, now));
    }

    @Override
    public StateCounts counts(Instant now) {
        return run("count deliveries by state", c -> DeliveryRows.counts(c, now));
    }

    @Override
    public boolean isReportRecipient(String address) {
        String sql = "SELECT 1 FROM delivery WHERE lower(destination_key) = lower(?) LIMIT 1";
        return run("look up report recipient " + address, c -> DeliveryRows.isReportRecipient(c, sql, address));
    }

    @Override
    public List<QueuedDelivery> deliveries(String policyDomain, LocalDate first, LocalDate last, int limit) {
        return run("list the deliveries of " + policyDomain,
                c -> DeliveryRows.deliveries(c, DAYS, policyDomain, first, last, limit));
    }

    @Override
    public List<QueuedDelivery> deliveries(LocalDate since) {
        return run("list deliveries", c -> DeliveryRows.deliveries(c, DAYS, since));
    }

    @Override
    public List<StoredReport> reports(LocalDate day) {
        return run("list the reports of " + day, c -> DeliveryRows.reports(c, DAYS, day));
    }

    @Override
    public int purgeBefore(LocalDate firstKept) {
        String leases = "DELETE FROM queue_lease WHERE expires_at_millis < " + PostgresDatabase.SERVER_MILLIS + " - ?";
        return run("purge reports before " + firstKept, c -> DeliveryRows.inTransaction(c, t -> {
            int purged = DeliveryRows.purgeBefore(t, DAYS, firstKept);
            try (PreparedStatement ps = t.prepareStatement(leases)) {
                ps.setLong(1, DeliveryRows.STALE_LEASE.toMillis());
                ps.executeUpdate();
            }
            return purged;
        }));
    }

    @Override
    public void close() {
        pool.close();
    }
}
