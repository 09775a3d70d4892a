package io.github.mtasts.tlsrpt.aggregate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of {@link FailureFigures}, shared by both aggregate stores: they differ only in how a connection is lent
 * and in the type of the day column (SQLite text, PostgreSQL date), which {@link DayBinder} hides.
 */
final class AggregateQueries implements FailureFigures {

    @FunctionalInterface
    interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Lends a connection for one read and turns an {@link SQLException} into an {@link AggregateStoreException}. */
    @FunctionalInterface
    interface Reader {
        <T> T read(String what, SqlWork<T> work);
    }

    /** Binds a day to a statement parameter as the store's day column wants it. */
    @FunctionalInterface
    interface DayBinder {
        void bind(PreparedStatement ps, int index, LocalDate day) throws SQLException;
    }

    private static final String WINDOW = " WHERE day >= ? AND day <= ?";

    private final Reader reader;
    private final DayBinder days;

    AggregateQueries(Reader reader, DayBinder days) {
        this.reader = reader;
        this.days = days;
    }

    @Override
    public Totals totals(LocalDate first, LocalDate last) {
        checkWindow(first, last);
        return reader.read("read the totals of " + first + " to " + last, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(CASE WHEN f > 0 THEN 1 ELSE 0"
                    + " END), 0), COALESCE(SUM(s), 0), COALESCE(SUM(f), 0) FROM (SELECT SUM(success) AS s,"
                    + " SUM(failure) AS f FROM session_count" + WINDOW + " GROUP BY policy_domain) g")) {
                days.bind(ps, 1, first);
                days.bind(ps, 2, last);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
                }
            }
        });
    }

    @Override
    public Map<String, Long> policyTypes(LocalDate first, LocalDate last) {
        checkWindow(first, last);
        return reader.read("count the policy types of " + first + " to " + last, c -> {
            Map<String, Long> types = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT policy_type, COUNT(DISTINCT policy_domain)"
                    + " FROM session_count" + WINDOW + " GROUP BY policy_type ORDER BY policy_type")) {
                bindWindow(ps, first, last);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        types.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return types;
        });
    }

    @Override
    public Ranking ranking(LocalDate first, LocalDate last, int limit) {
        checkWindow(first, last);
        int rows = cap(limit);
        return reader.read("rank the domains of " + first + " to " + last, c -> {
            List<DomainTotal> domains = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT policy_domain, SUM(success), SUM(failure)"
                    + " FROM session_count" + WINDOW + " GROUP BY policy_domain"
                    + " ORDER BY SUM(failure) DESC, SUM(success) + SUM(failure) DESC, policy_domain LIMIT ?")) {
                days.bind(ps, 1, first);
                days.bind(ps, 2, last);
                ps.setInt(3, rows);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        domains.add(new DomainTotal(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                    }
                }
            }
            long all = count(c, "SELECT COUNT(DISTINCT policy_domain) FROM session_count" + WINDOW, first, last);
            return new Ranking(domains, Math.max(0, all - domains.size()));
        });
    }

    @Override
    public List<DailyCount> daily(List<String> domains, LocalDate first, LocalDate last) {
        checkWindow(first, last);
        if (domains.isEmpty()) {
            return List.of();
        }
        List<String> names = domains.subList(0, Math.min(domains.size(), MAX_ROWS));
        return reader.read("read the days of " + names.size() + " domains", c -> {
            List<DailyCount> counts = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT policy_domain, day, SUM(success), SUM(failure)"
                    + " FROM session_count" + WINDOW + " AND policy_domain IN (" + placeholders(names.size()) + ")"
                    + " GROUP BY policy_domain, day ORDER BY policy_domain, day")) {
                int i = bindWindow(ps, first, last);
                for (String name : names) {
                    ps.setString(i++, name);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.add(new DailyCount(rs.getString(1), LocalDate.parse(rs.getString(2)), rs.getLong(3),
                                rs.getLong(4)));
                    }
                }
            }
            return counts;
        });
    }

    @Override
    public Map<String, String> dominantResultTypes(List<String> domains, LocalDate first, LocalDate last) {
        checkWindow(first, last);
        if (domains.isEmpty()) {
            return Map.of();
        }
        List<String> names = domains.subList(0, Math.min(domains.size(), MAX_ROWS));
        return reader.read("read the result types of " + names.size() + " domains", c -> {
            // at most (domains × result types) rows; ties go to the result type first in the alphabet
            Map<String, String> dominant = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT policy_domain, result_type, SUM(count)"
                    + " FROM failure_detail" + WINDOW + " AND policy_domain IN (" + placeholders(names.size()) + ")"
                    + " GROUP BY policy_domain, result_type ORDER BY policy_domain, SUM(count) DESC, result_type")) {
                int i = bindWindow(ps, first, last);
                for (String name : names) {
                    ps.setString(i++, name);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        dominant.putIfAbsent(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return dominant;
        });
    }

    @Override
    public Breakdown failures(String domain, Dimension dimension, LocalDate first, LocalDate last, int limit) {
        checkWindow(first, last);
        int rows = cap(limit);
        String column = dimension.column();
        return reader.read("read the failures of " + domain + " by " + column, c -> {
            List<ValueCount> values = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + column + ", SUM(count) FROM failure_detail"
                    + WINDOW + " AND policy_domain = ? GROUP BY " + column + " ORDER BY SUM(count) DESC, " + column
                    + " LIMIT ?")) {
                int i = bindWindow(ps, first, last);
                ps.setString(i++, domain);
                ps.setInt(i, rows);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        values.add(new ValueCount(rs.getString(1), rs.getLong(2)));
                    }
                }
            }
            long all;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(DISTINCT " + column + ") FROM failure_detail"
                    + WINDOW + " AND policy_domain = ?")) {
                int i = bindWindow(ps, first, last);
                ps.setString(i, domain);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    all = rs.getLong(1);
                }
            }
            return new Breakdown(values, Math.max(0, all - values.size()));
        });
    }

    private long count(Connection c, String sql, LocalDate first, LocalDate last) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindWindow(ps, first, last);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Binds the window to parameters 1 and 2; returns the next parameter's index. */
    private int bindWindow(PreparedStatement ps, LocalDate first, LocalDate last) throws SQLException {
        days.bind(ps, 1, first);
        days.bind(ps, 2, last);
        return 3;
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static int cap(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("row limit must be positive: " + limit);
        }
        return Math.min(limit, MAX_ROWS);
    }

    private static void checkWindow(LocalDate first, LocalDate last) {
        if (last.isBefore(first)) {
            throw new IllegalArgumentException("day range ends before it starts: " + first + " to " + last);
        }
    }
}
