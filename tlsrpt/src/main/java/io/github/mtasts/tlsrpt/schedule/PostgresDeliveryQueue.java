package io.github.mtasts.tlsrpt.schedule;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mtasts.resolver.cache.PostgresDsn;
import io.github.mtasts.resolver.store.PostgresDatabase;
import io.github.mtasts.tlsrpt.report.TlsRptReport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

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

    private static final String DELIVERY_COLUMNS = """
            d.report_id, r.day, r.policy_domain, d.destination_key, d.state, d.attempts, d.next_attempt,
            d.first_attempt, d.last_error, d.delivered_time, d.sending_detail""";

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

    @FunctionalInterface
    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> T run(String what, SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private <T> T inTransaction(String what, SqlWork<T> work) {
        return run(what, c -> {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    @Override
    public boolean addReport(TlsRptReport report, Instant built) {
        String sql = """
                INSERT INTO report (report_id, day, policy_domain, submitter_domain, report_gz, built_time)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (report_id) DO NOTHING""";
        return run("store report " + report.reportId(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, report.reportId());
                ps.setObject(2, report.day());
                ps.setString(3, report.policyDomain());
                ps.setString(4, report.submitterDomain());
                ps.setBytes(5, report.gzip());
                ps.setLong(6, built.getEpochSecond());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<TlsRptReport> report(String reportId) {
        String sql = "SELECT day, policy_domain, submitter_domain, report_gz FROM report WHERE report_id = ?";
        return run("read report " + reportId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, reportId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new TlsRptReport(reportId, rs.getObject(1, LocalDate.class), rs.getString(2),
                            rs.getString(3), gunzip(rs.getBytes(4))));
                }
            }
        });
    }

    private String gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeliveryQueueException(description + ": a stored report is not gzip: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> unroutedReports(LocalDate day) {
        String sql = "SELECT report_id FROM report WHERE day = ? AND NOT routed ORDER BY policy_domain";
        return run("list the unrouted reports of " + day, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, day);
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                return ids;
            }
        });
    }

    @Override
    public void route(String reportId, List<Due> destinations, String note) {
        String insert = """
                INSERT INTO delivery (report_id, destination_key, state, attempts, next_attempt)
                VALUES (?, ?, 'pending', 0, ?) ON CONFLICT (report_id, destination_key) DO NOTHING""";
        inTransaction("queue the deliveries of " + reportId, c -> {
            try (PreparedStatement ps = c.prepareStatement(insert);
                 PreparedStatement mark = c.prepareStatement(
                         "UPDATE report SET routed = TRUE, note = ? WHERE report_id = ?")) {
                // one order for every instance, so two routing the same report at once cannot deadlock
                for (Due due : destinations.stream().sorted((a, b) -> a.destinationKey()
                        .compareTo(b.destinationKey())).toList()) {
                    ps.setString(1, reportId);
                    ps.setString(2, due.destinationKey());
                    ps.setLong(3, due.at().getEpochSecond());
                    ps.addBatch();
                }
                ps.executeBatch();
                mark.setString(1, note);
                mark.setString(2, reportId);
                return mark.executeUpdate();
            }
        });
    }

    @Override
    public boolean dayBuilt(LocalDate day) {
        return run("read the build mark of " + day, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM report_day WHERE day = ?")) {
                ps.setObject(1, day);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void markDayBuilt(LocalDate day, Instant at) {
        String sql = "INSERT INTO report_day (day, built_time) VALUES (?, ?) ON CONFLICT (day) DO NOTHING";
        run("mark " + day + " built", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, day);
                ps.setLong(2, at.getEpochSecond());
                return ps.executeUpdate();
            }
        });
    }

    /** One upsert: it inserts, renews our own lease, or takes over an expired one; a live foreign lease stays. */
    @Override
    public boolean tryLease(String name, String owner, Duration ttl) {
        String sql = "INSERT INTO queue_lease AS l (name, owner, expires_at_millis) VALUES (?, ?, "
                + PostgresDatabase.SERVER_MILLIS + " + ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                + " expires_at_millis = excluded.expires_at_millis"
                + " WHERE l.owner = excluded.owner OR l.expires_at_millis <= " + PostgresDatabase.SERVER_MILLIS;
        return run("take lease " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, name);
                ps.setString(2, owner);
                ps.setLong(3, ttl.toMillis());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void expedite(LocalDate day, Instant now) {
        String sql = """
                UPDATE delivery SET next_attempt = ?
                WHERE state = 'pending' AND attempts = 0 AND next_attempt > ?
                  AND report_id IN (SELECT report_id FROM report WHERE day = ?)""";
        run("expedite the deliveries of " + day, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, now.getEpochSecond());
                ps.setLong(2, now.getEpochSecond());
                ps.setObject(3, day);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<QueuedDelivery> due(Instant now, Optional<LocalDate> day) {
        String sql = "SELECT " + DELIVERY_COLUMNS + " FROM delivery d JOIN report r ON r.report_id = d.report_id"
                + " WHERE d.state = 'pending' AND d.next_attempt <= ?" + (day.isPresent() ? " AND r.day = ?" : "")
                + " ORDER BY d.next_attempt, d.report_id, d.destination_key";
        return run("list due deliveries", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, now.getEpochSecond());
                if (day.isPresent()) {
                    ps.setObject(2, day.get());
                }
                return deliveries(ps);
            }
        });
    }

    @Override
    public Optional<QueuedDelivery> claim(QueuedDelivery delivery, Instant now, Instant leaseUntil) {
        String sql = """
                UPDATE delivery SET attempts = attempts + 1, next_attempt = ?,
                  first_attempt = coalesce(first_attempt, ?)
                WHERE report_id = ? AND destination_key = ? AND state = 'pending' AND attempts = ?
                  AND next_attempt = ?""";
        return run("claim " + describe(delivery), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, leaseUntil.getEpochSecond());
                ps.setLong(2, now.getEpochSecond());
                ps.setString(3, delivery.reportId());
                ps.setString(4, delivery.destinationKey());
                ps.setInt(5, delivery.attempts());
                ps.setLong(6, delivery.nextAttempt().getEpochSecond());
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            Instant first = delivery.firstAttempt() == null ? Instant.ofEpochSecond(now.getEpochSecond())
                    : delivery.firstAttempt();
            return Optional.of(new QueuedDelivery(delivery.reportId(), delivery.day(), delivery.policyDomain(),
                    delivery.destinationKey(), QueuedDelivery.State.PENDING, delivery.attempts() + 1,
                    Instant.ofEpochSecond(leaseUntil.getEpochSecond()), first, delivery.lastError(), null, null));
        });
    }

    @Override
    public boolean markSending(QueuedDelivery delivery, Instant at, String detail) {
        String sql = """
                UPDATE delivery SET state = 'sending', sending_detail = ?
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        return update(sql, "mark sending", delivery, ps -> {
            ps.setString(1, detail);
            ps.setInt(4, delivery.attempts());
        }, 2) == 1;
    }

    @Override
    public void markDelivered(QueuedDelivery delivery, Instant at) {
        String sql = """
                UPDATE delivery SET state = 'delivered', delivered_time = ?, last_error = NULL, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        update(sql, "mark delivered", delivery, ps -> {
            ps.setLong(1, at.getEpochSecond());
            ps.setInt(4, delivery.attempts());
        }, 2);
    }

    @Override
    public void markRetry(QueuedDelivery delivery, Instant next, String error) {
        String sql = """
                UPDATE delivery SET state = 'pending', next_attempt = ?, last_error = ?, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        update(sql, "schedule a retry of", delivery, ps -> {
            ps.setLong(1, next.getEpochSecond());
            ps.setString(2, error);
            ps.setInt(5, delivery.attempts());
        }, 3);
    }

    @Override
    public void markFailed(QueuedDelivery delivery, String error) {
        String sql = """
                UPDATE delivery SET state = 'failed', last_error = ?, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        update(sql, "give up", delivery, ps -> {
            ps.setString(1, error);
            ps.setInt(4, delivery.attempts());
        }, 2);
    }

    @Override
    public boolean resolveUncertain(String reportId, String destinationKey, Resolution resolution, Instant now) {
        String set = switch (resolution) {
            case RESEND -> "state = 'pending', next_attempt = ?, sending_detail = NULL,"
                    + " last_error = 'resent by the operator: ' || coalesce(sending_detail, 'uncertain attempt')";
            case DELIVERED -> "state = 'delivered', delivered_time = ?, last_error = NULL, sending_detail = NULL";
        };
        String sql = "UPDATE delivery SET " + set
                + " WHERE report_id = ? AND destination_key = ? AND state = 'sending' AND next_attempt <= ?";
        return run("resolve " + reportId + " to " + destinationKey, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, now.getEpochSecond());
                ps.setString(2, reportId);
                ps.setString(3, destinationKey);
                ps.setLong(4, now.getEpochSecond());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public StateCounts counts(Instant now) {
        String sql = """
                SELECT count(*) FILTER (WHERE state = 'pending'),
                  count(*) FILTER (WHERE state = 'sending' AND next_attempt > ?),
                  count(*) FILTER (WHERE state = 'sending' AND next_attempt <= ?),
                  count(*) FILTER (WHERE state = 'delivered'), count(*) FILTER (WHERE state = 'failed')
                FROM delivery""";
        return run("count deliveries by state", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, now.getEpochSecond());
                ps.setLong(2, now.getEpochSecond());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new StateCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5));
                }
            }
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String sql, String what, QueuedDelivery delivery, Binder binder, int keyIndex) {
        return run(what + " " + describe(delivery), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                ps.setString(keyIndex, delivery.reportId());
                ps.setString(keyIndex + 1, delivery.destinationKey());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean isReportRecipient(String address) {
        String sql = "SELECT 1 FROM delivery WHERE lower(destination_key) = lower(?) LIMIT 1";
        return run("look up report recipient " + address, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, "mailto:" + address);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public List<QueuedDelivery> deliveries(LocalDate since) {
        String sql = "SELECT " + DELIVERY_COLUMNS + " FROM delivery d JOIN report r ON r.report_id = d.report_id"
                + " WHERE r.day >= ? ORDER BY r.day, r.policy_domain, d.destination_key";
        return run("list deliveries", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, since);
                return deliveries(ps);
            }
        });
    }

    @Override
    public List<StoredReport> reports(LocalDate day) {
        String sql = "SELECT report_id, policy_domain, routed, note FROM report WHERE day = ? ORDER BY policy_domain";
        return run("list the reports of " + day, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, day);
                List<StoredReport> reports = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        reports.add(new StoredReport(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                                rs.getString(4)));
                    }
                }
                return reports;
            }
        });
    }

    private static List<QueuedDelivery> deliveries(PreparedStatement ps) throws SQLException {
        List<QueuedDelivery> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long first = rs.getLong(8);
                Instant firstAttempt = rs.wasNull() ? null : Instant.ofEpochSecond(first);
                long delivered = rs.getLong(10);
                Instant deliveredAt = rs.wasNull() ? null : Instant.ofEpochSecond(delivered);
                rows.add(new QueuedDelivery(rs.getString(1), rs.getObject(2, LocalDate.class), rs.getString(3),
                        rs.getString(4), QueuedDelivery.State.valueOf(rs.getString(5).toUpperCase(Locale.ROOT)),
                        rs.getInt(6), Instant.ofEpochSecond(rs.getLong(7)), firstAttempt, rs.getString(9),
                        deliveredAt, rs.getString(11)));
            }
        }
        return rows;
    }

    @Override
    public int purgeBefore(LocalDate firstKept) {
        return inTransaction("purge reports before " + firstKept, c -> {
            try (PreparedStatement deliveries = c.prepareStatement(
                         "DELETE FROM delivery WHERE report_id IN (SELECT report_id FROM report WHERE day < ?)");
                 PreparedStatement reports = c.prepareStatement("DELETE FROM report WHERE day < ?");
                 PreparedStatement days = c.prepareStatement("DELETE FROM report_day WHERE day < ?");
                 PreparedStatement leases = c.prepareStatement("DELETE FROM queue_lease WHERE expires_at_millis < "
                         + PostgresDatabase.SERVER_MILLIS + " - ?")) {
                deliveries.setObject(1, firstKept);
                deliveries.executeUpdate();
                reports.setObject(1, firstKept);
                int purged = reports.executeUpdate();
                days.setObject(1, firstKept);
                days.executeUpdate();
                leases.setLong(1, SqliteDeliveryQueue.STALE_LEASE.toMillis());
                leases.executeUpdate();
                return purged;
            }
        });
    }

    private static String describe(QueuedDelivery delivery) {
        return delivery.reportId() + " to " + delivery.destinationKey();
    }

    private DeliveryQueueException failure(String what, SQLException e) {
        return new DeliveryQueueException(description + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        pool.close();
    }
}
