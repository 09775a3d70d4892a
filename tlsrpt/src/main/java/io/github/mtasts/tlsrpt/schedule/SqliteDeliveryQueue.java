package io.github.mtasts.tlsrpt.schedule;

import io.github.mtasts.resolver.store.SqliteDatabase;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

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

    /** Leases expired this long ago are deleted with the purged days: nobody holds or renews them any more. */
    static final Duration STALE_LEASE = Duration.ofDays(1);

    private static final String DELIVERY_COLUMNS = """
            d.report_id, r.day, r.policy_domain, d.destination_key, d.state, d.attempts, d.next_attempt,
            d.first_attempt, d.last_error, d.delivered_time, d.sending_detail""";

    private final Path file;
    private final Connection connection;

    private SqliteDeliveryQueue(Path file, Connection connection) {
        this.file = file;
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

    @Override
    public synchronized boolean addReport(TlsRptReport report, Instant built) {
        String sql = """
                INSERT OR IGNORE INTO report (report_id, day, policy_domain, submitter_domain, report_gz, built_time)
                VALUES (?, ?, ?, ?, ?, ?)""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, report.reportId());
            ps.setString(2, report.day().toString());
            ps.setString(3, report.policyDomain());
            ps.setString(4, report.submitterDomain());
            ps.setBytes(5, report.gzip());
            ps.setLong(6, built.getEpochSecond());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("store report " + report.reportId(), e);
        }
    }

    @Override
    public synchronized Optional<TlsRptReport> report(String reportId) {
        String sql = "SELECT day, policy_domain, submitter_domain, report_gz FROM report WHERE report_id = ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, reportId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new TlsRptReport(reportId, LocalDate.parse(rs.getString(1)), rs.getString(2),
                        rs.getString(3), gunzip(rs.getBytes(4))));
            }
        } catch (SQLException e) {
            throw failure("read report " + reportId, e);
        }
    }

    private String gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeliveryQueueException("delivery queue database " + file + ": a stored report is not gzip: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<String> unroutedReports(LocalDate day) {
        String sql = "SELECT report_id FROM report WHERE day = ? AND routed = 0 ORDER BY policy_domain";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, day.toString());
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw failure("list the unrouted reports of " + day, e);
        }
    }

    @Override
    public synchronized void route(String reportId, List<Due> destinations, String note) {
        String insert = """
                INSERT OR IGNORE INTO delivery (report_id, destination_key, state, attempts, next_attempt)
                VALUES (?, ?, 'pending', 0, ?)""";
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement ps = connection.prepareStatement(insert);
                 PreparedStatement mark = connection.prepareStatement(
                         "UPDATE report SET routed = 1, note = ? WHERE report_id = ?")) {
                for (Due due : destinations) {
                    ps.setString(1, reportId);
                    ps.setString(2, due.destinationKey());
                    ps.setLong(3, due.at().getEpochSecond());
                    ps.executeUpdate();
                }
                mark.setString(1, note);
                mark.setString(2, reportId);
                mark.executeUpdate();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("queue the deliveries of " + reportId, e);
        }
    }

    @Override
    public synchronized boolean dayBuilt(LocalDate day) {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM report_day WHERE day = ?")) {
            ps.setString(1, day.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failure("read the build mark of " + day, e);
        }
    }

    @Override
    public synchronized void markDayBuilt(LocalDate day, Instant at) {
        String sql = "INSERT OR IGNORE INTO report_day (day, built_time) VALUES (?, ?)";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, day.toString());
            ps.setLong(2, at.getEpochSecond());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("mark " + day + " built", e);
        }
    }

    /** One upsert: it inserts, renews our own lease, or takes over an expired one; a live foreign lease stays. */
    @Override
    public synchronized boolean tryLease(String name, String owner, Duration ttl) {
        String sql = """
                INSERT INTO queue_lease (name, owner, expires_at_millis) VALUES (?1, ?2, ?3 + ?4)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at_millis = excluded.expires_at_millis
                WHERE queue_lease.owner = excluded.owner OR queue_lease.expires_at_millis <= ?3""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, owner);
            ps.setLong(3, System.currentTimeMillis());
            ps.setLong(4, ttl.toMillis());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("take lease " + name, e);
        }
    }

    @Override
    public synchronized void expedite(LocalDate day, Instant now) {
        String sql = """
                UPDATE delivery SET next_attempt = ?
                WHERE state = 'pending' AND attempts = 0 AND next_attempt > ?
                  AND report_id IN (SELECT report_id FROM report WHERE day = ?)""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            ps.setLong(2, now.getEpochSecond());
            ps.setString(3, day.toString());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("expedite the deliveries of " + day, e);
        }
    }

    @Override
    public synchronized List<QueuedDelivery> due(Instant now, Optional<LocalDate> day) {
        String sql = "SELECT " + DELIVERY_COLUMNS + " FROM delivery d JOIN report r ON r.report_id = d.report_id"
                + " WHERE d.state = 'pending' AND d.next_attempt <= ?" + (day.isPresent() ? " AND r.day = ?" : "")
                + " ORDER BY d.next_attempt, d.report_id, d.destination_key";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            if (day.isPresent()) {
                ps.setString(2, day.get().toString());
            }
            return deliveries(ps);
        } catch (SQLException e) {
            throw failure("list due deliveries", e);
        }
    }

    @Override
    public synchronized Optional<QueuedDelivery> claim(QueuedDelivery delivery, Instant now, Instant leaseUntil) {
        String sql = """
                UPDATE delivery SET attempts = attempts + 1, next_attempt = ?,
                  first_attempt = coalesce(first_attempt, ?)
                WHERE report_id = ? AND destination_key = ? AND state = 'pending' AND attempts = ?
                  AND next_attempt = ?""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, leaseUntil.getEpochSecond());
            ps.setLong(2, now.getEpochSecond());
            ps.setString(3, delivery.reportId());
            ps.setString(4, delivery.destinationKey());
            ps.setInt(5, delivery.attempts());
            ps.setLong(6, delivery.nextAttempt().getEpochSecond());
            if (ps.executeUpdate() != 1) {
                return Optional.empty();
            }
            Instant first = delivery.firstAttempt() == null ? Instant.ofEpochSecond(now.getEpochSecond())
                    : delivery.firstAttempt();
            return Optional.of(new QueuedDelivery(delivery.reportId(), delivery.day(), delivery.policyDomain(),
                    delivery.destinationKey(), QueuedDelivery.State.PENDING, delivery.attempts() + 1,
                    Instant.ofEpochSecond(leaseUntil.getEpochSecond()), first, delivery.lastError(), null, null));
        } catch (SQLException e) {
            throw failure("claim " + describe(delivery), e);
        }
    }

    @Override
    public synchronized boolean markSending(QueuedDelivery delivery, Instant at, String detail) {
        String sql = """
                UPDATE delivery SET state = 'sending', sending_detail = ?
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        return update(sql, "mark sending", delivery, ps -> {
            ps.setString(1, detail);
            ps.setInt(4, delivery.attempts());
        }, 2) == 1;
    }

    @Override
    public synchronized void markDelivered(QueuedDelivery delivery, Instant at) {
        String sql = """
                UPDATE delivery SET state = 'delivered', delivered_time = ?, last_error = NULL, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        update(sql, "mark delivered", delivery, ps -> {
            ps.setLong(1, at.getEpochSecond());
            ps.setInt(4, delivery.attempts());
        }, 2);
    }

    @Override
    public synchronized void markRetry(QueuedDelivery delivery, Instant next, String error) {
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
    public synchronized void markFailed(QueuedDelivery delivery, String error) {
        String sql = """
                UPDATE delivery SET state = 'failed', last_error = ?, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        update(sql, "give up", delivery, ps -> {
            ps.setString(1, error);
            ps.setInt(4, delivery.attempts());
        }, 2);
    }

    @Override
    public synchronized boolean resolveUncertain(String reportId, String destinationKey, Resolution resolution,
                                                 Instant now) {
        String set = switch (resolution) {
            case RESEND -> "state = 'pending', next_attempt = ?1, sending_detail = NULL,"
                    + " last_error = 'resent by the operator: ' || coalesce(sending_detail, 'uncertain attempt')";
            case DELIVERED -> "state = 'delivered', delivered_time = ?1, last_error = NULL, sending_detail = NULL";
        };
        String sql = "UPDATE delivery SET " + set
                + " WHERE report_id = ?2 AND destination_key = ?3 AND state = 'sending' AND next_attempt <= ?1";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            ps.setString(2, reportId);
            ps.setString(3, destinationKey);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("resolve " + reportId + " to " + destinationKey, e);
        }
    }

    @Override
    public synchronized StateCounts counts(Instant now) {
        String sql = """
                SELECT coalesce(sum(state = 'pending'), 0),
                  coalesce(sum(state = 'sending' AND next_attempt > ?1), 0),
                  coalesce(sum(state = 'sending' AND next_attempt <= ?1), 0),
                  coalesce(sum(state = 'delivered'), 0), coalesce(sum(state = 'failed'), 0)
                FROM delivery""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new StateCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        } catch (SQLException e) {
            throw failure("count deliveries by state", e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String sql, String what, QueuedDelivery delivery, Binder binder, int keyIndex) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            binder.bind(ps);
            ps.setString(keyIndex, delivery.reportId());
            ps.setString(keyIndex + 1, delivery.destinationKey());
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure(what + " " + describe(delivery), e);
        }
    }

    @Override
    public synchronized boolean isReportRecipient(String address) {
        String sql = "SELECT 1 FROM delivery WHERE destination_key = ? COLLATE NOCASE LIMIT 1";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, "mailto:" + address);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failure("look up report recipient " + address, e);
        }
    }

    @Override
    public synchronized List<QueuedDelivery> deliveries(LocalDate since) {
        String sql = "SELECT " + DELIVERY_COLUMNS + " FROM delivery d JOIN report r ON r.report_id = d.report_id"
                + " WHERE r.day >= ? ORDER BY r.day, r.policy_domain, d.destination_key";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, since.toString());
            return deliveries(ps);
        } catch (SQLException e) {
            throw failure("list deliveries", e);
        }
    }

    @Override
    public synchronized List<StoredReport> reports(LocalDate day) {
        String sql = "SELECT report_id, policy_domain, routed, note FROM report WHERE day = ? ORDER BY policy_domain";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, day.toString());
            List<StoredReport> reports = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reports.add(new StoredReport(rs.getString(1), rs.getString(2), rs.getInt(3) == 1,
                            rs.getString(4)));
                }
            }
            return reports;
        } catch (SQLException e) {
            throw failure("list the reports of " + day, e);
        }
    }

    private static List<QueuedDelivery> deliveries(PreparedStatement ps) throws SQLException {
        List<QueuedDelivery> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long first = rs.getLong(8);
                Instant firstAttempt = rs.wasNull() ? null : Instant.ofEpochSecond(first);
                long delivered = rs.getLong(10);
                Instant deliveredAt = rs.wasNull() ? null : Instant.ofEpochSecond(delivered);
                rows.add(new QueuedDelivery(rs.getString(1), LocalDate.parse(rs.getString(2)), rs.getString(3),
                        rs.getString(4), QueuedDelivery.State.valueOf(rs.getString(5).toUpperCase(Locale.ROOT)),
                        rs.getInt(6), Instant.ofEpochSecond(rs.getLong(7)), firstAttempt, rs.getString(9),
                        deliveredAt, rs.getString(11)));
            }
        }
        return rows;
    }

    @Override
    public synchronized int purgeBefore(LocalDate firstKept) {
        String day = firstKept.toString();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement deliveries = connection.prepareStatement(
                         "DELETE FROM delivery WHERE report_id IN (SELECT report_id FROM report WHERE day < ?)");
                 PreparedStatement reports = connection.prepareStatement("DELETE FROM report WHERE day < ?");
                 PreparedStatement days = connection.prepareStatement("DELETE FROM report_day WHERE day < ?");
                 PreparedStatement leases = connection.prepareStatement(
                         "DELETE FROM queue_lease WHERE expires_at_millis < ?")) {
                deliveries.setString(1, day);
                deliveries.executeUpdate();
                reports.setString(1, day);
                int purged = reports.executeUpdate();
                days.setString(1, day);
                days.executeUpdate();
                leases.setLong(1, System.currentTimeMillis() - STALE_LEASE.toMillis());
                leases.executeUpdate();
                connection.commit();
                return purged;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("purge reports before " + day, e);
        }
    }

    private static String describe(QueuedDelivery delivery) {
        return delivery.reportId() + " to " + delivery.destinationKey();
    }

    private DeliveryQueueException failure(String what, SQLException e) {
        return new DeliveryQueueException("delivery queue database " + file + ": cannot " + what + ": "
                + e.getMessage(), e);
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
