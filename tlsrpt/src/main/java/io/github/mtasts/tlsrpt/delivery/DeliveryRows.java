package io.github.mtasts.tlsrpt.delivery;

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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The SQL both delivery queues share, plain enough for SQLite and PostgreSQL: storing and reading reports, the
 * conditional updates that move a delivery through its states, and the mapping of delivery rows. What differs stays
 * with each queue: the upserts (passed in), the leases judged by a clock, and where connections come from. A method
 * runs on the connection it is given, inside whatever transaction its caller holds.
 */
final class DeliveryRows {

    /** Leases expired this long ago are deleted with the purged days: nobody holds or renews them any more. */
    static final Duration STALE_LEASE = Duration.ofDays(1);

    private static final String DELIVERY_COLUMNS = """
            d.report_id, r.day, r.policy_domain, d.destination_key, d.state, d.attempts, d.next_attempt,
            d.first_attempt, d.last_error, d.delivered_time, d.sending_detail""";

    /** How a database holds a report's day: PostgreSQL as a DATE, SQLite as ISO-8601 text. */
    enum DayColumn {
        DATE {
            @Override
            void set(PreparedStatement ps, int index, LocalDate day) throws SQLException {
                ps.setObject(index, day);
            }

            @Override
            LocalDate get(ResultSet rs, int index) throws SQLException {
                return rs.getObject(index, LocalDate.class);
            }
        },
        TEXT {
            @Override
            void set(PreparedStatement ps, int index, LocalDate day) throws SQLException {
                ps.setString(index, day.toString());
            }

            @Override
            LocalDate get(ResultSet rs, int index) throws SQLException {
                return LocalDate.parse(rs.getString(index));
            }
        };

        abstract void set(PreparedStatement ps, int index, LocalDate day) throws SQLException;

        abstract LocalDate get(ResultSet rs, int index) throws SQLException;
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private DeliveryRows() {
    }

    /** Runs {@code work} in one transaction on {@code c}, rolled back when it throws. */
    static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
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
    }

    /**
     * Stores {@code report} with the dialect's insert that ignores a stored report id, binding (report_id, day,
     * policy_domain, submitter_domain, report_gz, built_time); true when the report was new.
     */
    static boolean addReport(Connection c, DayColumn days, String insertIgnoring, TlsRptReport report, Instant built)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertIgnoring)) {
            ps.setString(1, report.reportId());
            days.set(ps, 2, report.day());
            ps.setString(3, report.policyDomain());
            ps.setString(4, report.submitterDomain());
            ps.setBytes(5, report.gzip());
            ps.setLong(6, built.getEpochSecond());
            return ps.executeUpdate() == 1;
        }
    }

    /** @param description the queue's database, for the message when a stored report is not gzip */
    static Optional<TlsRptReport> report(Connection c, DayColumn days, String reportId, String description)
            throws SQLException {
        String sql = "SELECT day, policy_domain, submitter_domain, report_gz FROM report WHERE report_id = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, reportId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new TlsRptReport(reportId, days.get(rs, 1), rs.getString(2), rs.getString(3),
                        gunzip(rs.getBytes(4), description)));
            }
        }
    }

    private static String gunzip(byte[] gz, String description) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeliveryQueueException(description + ": a stored report is not gzip: " + e.getMessage(), e);
        }
    }

    static List<String> unroutedReports(Connection c, DayColumn days, LocalDate day) throws SQLException {
        String sql = "SELECT report_id FROM report WHERE day = ? AND NOT routed ORDER BY policy_domain";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            days.set(ps, 1, day);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    /**
     * Queues the report's destinations with the dialect's insert that ignores a queued destination, binding
     * (report_id, destination_key, next_attempt), and marks the report routed; the caller holds the transaction.
     */
    static int route(Connection c, String insertIgnoring, String reportId, List<DeliveryQueue.Due> destinations,
                     String note) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertIgnoring);
             PreparedStatement mark = c.prepareStatement(
                     "UPDATE report SET routed = TRUE, note = ? WHERE report_id = ?")) {
            // one order for every instance, so two routing the same report at once cannot deadlock
            for (DeliveryQueue.Due due : destinations.stream()
                    .sorted(Comparator.comparing(DeliveryQueue.Due::destinationKey)).toList()) {
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
    }

    static boolean dayBuilt(Connection c, DayColumn days, LocalDate day) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM report_day WHERE day = ?")) {
            days.set(ps, 1, day);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Marks the day built with the dialect's insert that ignores a marked day, binding (day, built_time). */
    static int markDayBuilt(Connection c, DayColumn days, String insertIgnoring, LocalDate day, Instant at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertIgnoring)) {
            days.set(ps, 1, day);
            ps.setLong(2, at.getEpochSecond());
            return ps.executeUpdate();
        }
    }

    static int expedite(Connection c, DayColumn days, LocalDate day, Instant now) throws SQLException {
        String sql = """
                UPDATE delivery SET next_attempt = ?
                WHERE state = 'pending' AND attempts = 0 AND next_attempt > ?
                  AND report_id IN (SELECT report_id FROM report WHERE day = ?)""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            ps.setLong(2, now.getEpochSecond());
            days.set(ps, 3, day);
            return ps.executeUpdate();
        }
    }

    static List<QueuedDelivery> due(Connection c, DayColumn days, Instant now, Optional<LocalDate> day)
            throws SQLException {
        String sql = "SELECT " + DELIVERY_COLUMNS + " FROM delivery d JOIN report r ON r.report_id = d.report_id"
                + " WHERE d.state = 'pending' AND d.next_attempt <= ?" + (day.isPresent() ? " AND r.day = ?" : "")
                + " ORDER BY d.next_attempt, d.report_id, d.destination_key";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            if (day.isPresent()) {
                days.set(ps, 2, day.get());
            }
            return deliveries(ps, days);
        }
    }

    /**
     * Takes the delivery if it is still pending as {@code delivery} saw it: a conditional update that only one
     * caller can win, so no lock is held across the attempt's network I/O.
     */
    static Optional<QueuedDelivery> claim(Connection c, QueuedDelivery delivery, Instant now, Instant leaseUntil)
            throws SQLException {
        String sql = """
                UPDATE delivery SET attempts = attempts + 1, next_attempt = ?,
                  first_attempt = coalesce(first_attempt, ?)
                WHERE report_id = ? AND destination_key = ? AND state = 'pending' AND attempts = ?
                  AND next_attempt = ?""";
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
    }

    /** The mark methods change the row only while this attempt still holds it; true when it did. */
    static boolean markSending(Connection c, QueuedDelivery delivery, String detail) throws SQLException {
        String sql = """
                UPDATE delivery SET state = 'sending', sending_detail = ?
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        return update(c, sql, delivery, ps -> {
            ps.setString(1, detail);
            ps.setInt(4, delivery.attempts());
        }, 2);
    }

    static boolean markDelivered(Connection c, QueuedDelivery delivery, Instant at) throws SQLException {
        String sql = """
                UPDATE delivery SET state = 'delivered', delivered_time = ?, last_error = NULL, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        return update(c, sql, delivery, ps -> {
            ps.setLong(1, at.getEpochSecond());
            ps.setInt(4, delivery.attempts());
        }, 2);
    }

    static boolean markRetry(Connection c, QueuedDelivery delivery, Instant next, String error) throws SQLException {
        String sql = """
                UPDATE delivery SET state = 'pending', next_attempt = ?, last_error = ?, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        return update(c, sql, delivery, ps -> {
            ps.setLong(1, next.getEpochSecond());
            ps.setString(2, error);
            ps.setInt(5, delivery.attempts());
        }, 3);
    }

    static boolean markFailed(Connection c, QueuedDelivery delivery, String error) throws SQLException {
        String sql = """
                UPDATE delivery SET state = 'failed', last_error = ?, sending_detail = NULL
                WHERE report_id = ? AND destination_key = ? AND state IN ('pending', 'sending') AND attempts = ?""";
        return update(c, sql, delivery, ps -> {
            ps.setString(1, error);
            ps.setInt(4, delivery.attempts());
        }, 2);
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static boolean update(Connection c, String sql, QueuedDelivery delivery, Binder binder, int keyIndex)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            ps.setString(keyIndex, delivery.reportId());
            ps.setString(keyIndex + 1, delivery.destinationKey());
            return ps.executeUpdate() == 1;
        }
    }

    static boolean resolveUncertain(Connection c, String reportId, String destinationKey,
                                    DeliveryQueue.Resolution resolution, Instant now) throws SQLException {
        String set = switch (resolution) {
            case RESEND -> "state = 'pending', next_attempt = ?, sending_detail = NULL,"
                    + " last_error = 'resent by the operator: ' || coalesce(sending_detail, 'uncertain attempt')";
            case DELIVERED -> "state = 'delivered', delivered_time = ?, last_error = NULL, sending_detail = NULL";
        };
        String sql = "UPDATE delivery SET " + set
                + " WHERE report_id = ? AND destination_key = ? AND state = 'sending' AND next_attempt <= ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            ps.setString(2, reportId);
            ps.setString(3, destinationKey);
            ps.setLong(4, now.getEpochSecond());
            return ps.executeUpdate() == 1;
        }
    }

    static DeliveryQueue.StateCounts counts(Connection c, Instant now) throws SQLException {
        String sql = """
                SELECT count(*) FILTER (WHERE state = 'pending'),
                  count(*) FILTER (WHERE state = 'sending' AND next_attempt > ?),
                  count(*) FILTER (WHERE state = 'sending' AND next_attempt <= ?),
                  count(*) FILTER (WHERE state = 'delivered'), count(*) FILTER (WHERE state = 'failed')
                FROM delivery""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, now.getEpochSecond());
            ps.setLong(2, now.getEpochSecond());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DeliveryQueue.StateCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5));
            }
        }
    }

    /** Whether {@code address} is a mailto destination by the dialect's case-insensitive {@code query}. */
    static boolean isReportRecipient(Connection c, String query, String address) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, "mailto:" + address);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static List<QueuedDelivery> deliveries(Connection c, DayColumn days, LocalDate since) throws SQLException {
        String sql = "SELECT " + DELIVERY_COLUMNS + " FROM delivery d JOIN report r ON r.report_id = d.report_id"
                + " WHERE r.day >= ? ORDER BY r.day, r.policy_domain, d.destination_key";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            days.set(ps, 1, since);
            return deliveries(ps, days);
        }
    }

    static List<QueuedDelivery> deliveries(Connection c, DayColumn days, String policyDomain, LocalDate first,
                                           LocalDate last, int limit) throws SQLException {
        String sql = "SELECT " + DELIVERY_COLUMNS + " FROM delivery d JOIN report r ON r.report_id = d.report_id"
                + " WHERE r.policy_domain = ? AND r.day >= ? AND r.day <= ?"
                + " ORDER BY r.day DESC, d.destination_key LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, policyDomain);
            days.set(ps, 2, first);
            days.set(ps, 3, last);
            ps.setInt(4, limit);
            return deliveries(ps, days);
        }
    }

    static List<DeliveryQueue.StoredReport> reports(Connection c, DayColumn days, LocalDate day)
            throws SQLException {
        String sql = "SELECT report_id, policy_domain, routed, note FROM report WHERE day = ? ORDER BY policy_domain";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            days.set(ps, 1, day);
            List<DeliveryQueue.StoredReport> reports = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reports.add(new DeliveryQueue.StoredReport(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                            rs.getString(4)));
                }
            }
            return reports;
        }
    }

    private static List<QueuedDelivery> deliveries(PreparedStatement ps, DayColumn days) throws SQLException {
        List<QueuedDelivery> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long first = rs.getLong(8);
                Instant firstAttempt = rs.wasNull() ? null : Instant.ofEpochSecond(first);
                long delivered = rs.getLong(10);
                Instant deliveredAt = rs.wasNull() ? null : Instant.ofEpochSecond(delivered);
                rows.add(new QueuedDelivery(rs.getString(1), days.get(rs, 2), rs.getString(3),
                        rs.getString(4), QueuedDelivery.State.valueOf(rs.getString(5).toUpperCase(Locale.ROOT)),
                        rs.getInt(6), Instant.ofEpochSecond(rs.getLong(7)), firstAttempt, rs.getString(9),
                        deliveredAt, rs.getString(11)));
            }
        }
        return rows;
    }

    /**
     * Deletes the reports of the days before {@code firstKept}, their deliveries and build marks; the caller deletes
     * the stale leases by its clock in the same transaction. Returns how many reports went.
     */
    static int purgeBefore(Connection c, DayColumn days, LocalDate firstKept) throws SQLException {
        try (PreparedStatement deliveries = c.prepareStatement(
                     "DELETE FROM delivery WHERE report_id IN (SELECT report_id FROM report WHERE day < ?)");
             PreparedStatement reports = c.prepareStatement("DELETE FROM report WHERE day < ?");
             PreparedStatement built = c.prepareStatement("DELETE FROM report_day WHERE day < ?")) {
            days.set(deliveries, 1, firstKept);
            deliveries.executeUpdate();
            days.set(reports, 1, firstKept);
            int purged = reports.executeUpdate();
            days.set(built, 1, firstKept);
            built.executeUpdate();
            return purged;
        }
    }

    static String describe(QueuedDelivery delivery) {
        return delivery.reportId() + " to " + delivery.destinationKey();
    }
}
