package io.github.mtasts.tlsrpt.inbound;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL both inbound stores share, plain enough for SQLite and PostgreSQL: a stored report's policies, failures and
 * deviations as child rows of its {@code inbound_report} row, and every report rebuilt from them.
 */
final class InboundRows {

    private InboundRows() {
    }

    static void insertChildren(Connection connection, long id, InboundReport report) throws SQLException {
        try (PreparedStatement policy = connection.prepareStatement("""
                INSERT INTO inbound_policy (report, position, policy_type, policy_domain, policy_string, mx_hosts,
                  successful, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
             PreparedStatement failure = connection.prepareStatement("""
                INSERT INTO inbound_failure (report, policy_position, position, result_type, sending_mta_ip,
                  receiving_mx_hostname, receiving_mx_helo, receiving_ip, failed, additional_information,
                  failure_reason_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
             PreparedStatement deviation = connection.prepareStatement(
                     "INSERT INTO inbound_deviation (report, position, text) VALUES (?, ?, ?)")) {
            for (int p = 0; p < report.policies().size(); p++) {
                InboundPolicy pol = report.policies().get(p);
                policy.setLong(1, id);
                policy.setInt(2, p);
                policy.setString(3, pol.policyType());
                setOptional(policy, 4, pol.policyDomain());
                policy.setString(5, String.join("\n", pol.policyString()));
                policy.setString(6, String.join("\n", pol.mxHosts()));
                policy.setLong(7, pol.successfulSessions());
                policy.setLong(8, pol.failedSessions());
                policy.executeUpdate();
                for (int f = 0; f < pol.failures().size(); f++) {
                    InboundFailure fail = pol.failures().get(f);
                    failure.setLong(1, id);
                    failure.setInt(2, p);
                    failure.setInt(3, f);
                    failure.setString(4, fail.resultType());
                    setOptional(failure, 5, fail.sendingMtaIp());
                    setOptional(failure, 6, fail.receivingMxHostname());
                    setOptional(failure, 7, fail.receivingMxHelo());
                    setOptional(failure, 8, fail.receivingIp());
                    failure.setLong(9, fail.failedSessions());
                    setOptional(failure, 10, fail.additionalInformation());
                    setOptional(failure, 11, fail.failureReasonCode());
                    failure.executeUpdate();
                }
            }
            for (int d = 0; d < report.deviations().size(); d++) {
                deviation.setLong(1, id);
                deviation.setInt(2, d);
                deviation.setString(3, report.deviations().get(d));
                deviation.executeUpdate();
            }
        }
    }

    /** Every stored report, oldest period first. */
    static List<InboundReport> reports(Connection connection) throws SQLException {
        Map<Long, List<InboundFailure>> failures = new LinkedHashMap<>();
        Map<Long, List<InboundPolicy>> policies = new LinkedHashMap<>();
        Map<Long, List<String>> deviations = new LinkedHashMap<>();
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "SELECT * FROM inbound_failure ORDER BY report, policy_position, position")) {
                while (rs.next()) {
                    failures.computeIfAbsent(key(rs.getLong("report"), rs.getInt("policy_position")),
                            k -> new ArrayList<>()).add(new InboundFailure(rs.getString("result_type"),
                            optional(rs, "sending_mta_ip"), optional(rs, "receiving_mx_hostname"),
                            optional(rs, "receiving_mx_helo"), optional(rs, "receiving_ip"), rs.getLong("failed"),
                            optional(rs, "additional_information"), optional(rs, "failure_reason_code")));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT * FROM inbound_policy ORDER BY report, position")) {
                while (rs.next()) {
                    long report = rs.getLong("report");
                    policies.computeIfAbsent(report, k -> new ArrayList<>()).add(new InboundPolicy(
                            rs.getString("policy_type"), lines(rs.getString("policy_string")),
                            optional(rs, "policy_domain"), lines(rs.getString("mx_hosts")),
                            rs.getLong("successful"), rs.getLong("failed"),
                            failures.getOrDefault(key(report, rs.getInt("position")), List.of())));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT * FROM inbound_deviation ORDER BY report, position")) {
                while (rs.next()) {
                    deviations.computeIfAbsent(rs.getLong("report"), k -> new ArrayList<>()).add(rs.getString("text"));
                }
            }
            List<InboundReport> reports = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT * FROM inbound_report ORDER BY start_time, id")) {
                while (rs.next()) {
                    long id = rs.getLong("id");
                    reports.add(new InboundReport(rs.getString("organization"), rs.getString("report_id"),
                            Instant.ofEpochSecond(rs.getLong("start_time")),
                            Instant.ofEpochSecond(rs.getLong("end_time")), optional(rs, "contact_info"),
                            policies.getOrDefault(id, List.of()), deviations.getOrDefault(id, List.of())));
                }
            }
            return reports;
        }
    }

    /** The reports whose period starts in the window, joined with their policies. */
    private static final String WINDOW = """
            FROM inbound_report r JOIN inbound_policy p ON p.report = r.id
            WHERE r.start_time >= ? AND r.start_time < ?""";
    private static final String IN_DOMAIN = " AND COALESCE(p.policy_domain, '') = ?";
    /** {@link InboundReportStore#totals}: the reports and organisations, then the sessions of their policies. */
    static InboundTotals totals(Connection connection, LocalDate first, LocalDate last) throws SQLException {
        long from = first.toEpochDay() * 86400;
        long to = (last.toEpochDay() + 1) * 86400;
        long reports;
        long organizations;
        // a report without policies still counts as a report: these two are not read through the join
        try (PreparedStatement ps = connection.prepareStatement("SELECT COUNT(*), COUNT(DISTINCT organization)"
                + " FROM inbound_report r WHERE r.start_time >= ? AND r.start_time < ?")) {
            ps.setLong(1, from);
            ps.setLong(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                reports = rs.getLong(1);
                organizations = rs.getLong(2);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT COALESCE(SUM(p.successful), 0),"
                + " COALESCE(SUM(p.failed), 0) " + WINDOW)) {
            bindWindow(ps, from, to, null);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new InboundTotals(reports, organizations, rs.getLong(1), rs.getLong(2));
            }
        }
    }

    private static final String IN_ORGANIZATION = " AND r.organization = ?";

    /** The organisations of the window ranked by failed sessions, at most {@code limit} of them. */
    static InboundOrganizations organizations(Connection connection, LocalDate first, LocalDate last, int limit)
            throws SQLException {
        long from = first.toEpochDay() * 86400;
        long to = (last.toEpochDay() + 1) * 86400;
        int rows = Math.min(limit, InboundOrganizations.MAX_ROWS);
        List<long[]> totals = new ArrayList<>();
        List<String> names = list(connection, "SELECT r.organization, COUNT(DISTINCT r.id), SUM(p.successful),"
                        + " SUM(p.failed) " + WINDOW + " GROUP BY r.organization"
                        + " ORDER BY SUM(p.failed) DESC, SUM(p.successful) + SUM(p.failed) DESC, 1 LIMIT ?",
                from, to, null, rows, rs -> {
                    totals.add(new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                    return rs.getString(1);
                });
        long all = count(connection, "SELECT COUNT(DISTINCT organization) FROM inbound_report r"
                + " WHERE r.start_time >= ? AND r.start_time < ?", from, to, null);
        List<InboundOrganizations.Organization> organizations = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            // one small query per ranked organisation: at most (result types) rows each
            List<String> dominant = list(connection, "SELECT f.result_type FROM inbound_report r"
                            + " JOIN inbound_failure f ON f.report = r.id WHERE r.start_time >= ? AND r.start_time < ?"
                            + IN_ORGANIZATION + " GROUP BY f.result_type ORDER BY SUM(f.failed) DESC, 1 LIMIT ?",
                    from, to, names.get(i), 1, rs -> rs.getString(1));
            long[] t = totals.get(i);
            organizations.add(new InboundOrganizations.Organization(names.get(i), t[0], t[1], t[2],
                    dominant.isEmpty() || t[2] == 0 ? "" : dominant.get(0)));
        }
        return new InboundOrganizations(organizations, Math.max(0, all - organizations.size()));
    }

    /** {@link InboundReportStore#dailyFailures}: one query for every organisation of the ranking. */
    static Map<String, long[]> dailyFailures(Connection connection, List<String> organizations, LocalDate first,
                                             LocalDate last) throws SQLException {
        Map<String, long[]> daily = new HashMap<>();
        if (organizations.isEmpty()) {
            return daily;
        }
        long from = first.toEpochDay() * 86400;
        long to = (last.toEpochDay() + 1) * 86400;
        int days = (int) (last.toEpochDay() - first.toEpochDay() + 1);
        String in = String.join(", ", Collections.nCopies(organizations.size(), "?"));
        try (PreparedStatement ps = connection.prepareStatement("SELECT r.organization, r.start_time / 86400,"
                + " SUM(p.failed) " + WINDOW + " AND r.organization IN (" + in + ") GROUP BY 1, 2")) {
            int i = bindWindow(ps, from, to, null);
            for (String organization : organizations) {
                ps.setString(i++, organization);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int day = (int) (rs.getLong(2) - first.toEpochDay());
                    if (day >= 0 && day < days) {
                        daily.computeIfAbsent(rs.getString(1), k -> new long[days])[day] += rs.getLong(3);
                    }
                }
            }
        }
        return daily;
    }

    /**
     * The organisations that reported on {@code domain} ("" for policies without one) in the window, ranked by failed
     * sessions; their dominant result type is left empty.
     */
    static InboundOrganizations reporters(Connection connection, String domain, LocalDate first, LocalDate last,
                                          int limit) throws SQLException {
        long from = first.toEpochDay() * 86400;
        long to = (last.toEpochDay() + 1) * 86400;
        List<InboundOrganizations.Organization> organizations = list(connection, "SELECT r.organization,"
                        + " COUNT(DISTINCT r.id), SUM(p.successful), SUM(p.failed) " + WINDOW + IN_DOMAIN
                        + " GROUP BY r.organization"
                        + " ORDER BY SUM(p.failed) DESC, SUM(p.successful) + SUM(p.failed) DESC, 1 LIMIT ?",
                from, to, domain, Math.min(limit, InboundOrganizations.MAX_ROWS),
                rs -> new InboundOrganizations.Organization(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), ""));
        long all = count(connection, "SELECT COUNT(DISTINCT r.organization) " + WINDOW + IN_DOMAIN, from, to, domain);
        return new InboundOrganizations(organizations, Math.max(0, all - organizations.size()));
    }

    /** What {@code organization} reported of our domains in the window, at most {@code limit} rows of each kind. */
    static InboundOrganizations.Seen organization(Connection connection, String organization, LocalDate first,
                                                  LocalDate last, int limit) throws SQLException {
        long from = first.toEpochDay() * 86400;
        long to = (last.toEpochDay() + 1) * 86400;
        int rows = Math.min(limit, InboundOrganizations.MAX_ROWS);
        List<InboundOrganizations.DomainSeen> domains = list(connection, "SELECT COALESCE(p.policy_domain, ''),"
                        + " SUM(p.successful), SUM(p.failed) " + WINDOW + IN_ORGANIZATION
                        + " GROUP BY COALESCE(p.policy_domain, '') ORDER BY 3 DESC, 2 DESC, 1 LIMIT ?",
                from, to, organization, rows,
                rs -> new InboundOrganizations.DomainSeen(rs.getString(1), rs.getLong(2), rs.getLong(3)));
        long domainCount = count(connection, "SELECT COUNT(DISTINCT COALESCE(p.policy_domain, '')) " + WINDOW
                + IN_ORGANIZATION, from, to, organization);
        String failureWindow = WINDOW.replace("WHERE", "JOIN inbound_failure f ON f.report = p.report"
                + " AND f.policy_position = p.position WHERE");
        String failureKey = "COALESCE(p.policy_domain, ''), f.result_type, COALESCE(f.sending_mta_ip, ''),"
                + " COALESCE(f.receiving_mx_hostname, ''), COALESCE(f.receiving_ip, ''),"
                + " COALESCE(f.failure_reason_code, '')";
        List<InboundOrganizations.ReportedFailure> failures = list(connection, "SELECT " + failureKey
                        + ", SUM(f.failed) " + failureWindow + IN_ORGANIZATION + " GROUP BY " + failureKey
                        + " ORDER BY 7 DESC, 1, 2, 3, 4, 5, 6 LIMIT ?", from, to, organization, rows,
                rs -> new InboundOrganizations.ReportedFailure(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7)));
        long failureCount = count(connection, "SELECT COUNT(*) FROM (SELECT 1 " + failureWindow + IN_ORGANIZATION
                + " GROUP BY " + failureKey + ") g", from, to, organization);
        return new InboundOrganizations.Seen(organization, domains, domainCount - domains.size(), failures,
                failureCount - failures.size());
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static <T> List<T> list(Connection connection, String sql, long from, long to, String domain, int limit,
                                    Row<T> row) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int i = bindWindow(ps, from, to, domain);
            ps.setInt(i, limit);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
            return out;
        }
    }

    private static long count(Connection connection, String sql, long from, long to, String domain)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bindWindow(ps, from, to, domain);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Binds the window and the domain, if any; returns the next parameter's index. */
    private static int bindWindow(PreparedStatement ps, long from, long to, String domain) throws SQLException {
        ps.setLong(1, from);
        ps.setLong(2, to);
        if (domain == null) {
            return 3;
        }
        ps.setString(3, domain);
        return 4;
    }

    /** One map key for (report row, policy position); positions stay far below 2^20. */
    private static long key(long report, int position) {
        return (report << 20) | position;
    }

    private static List<String> lines(String joined) {
        return joined.isEmpty() ? List.of() : Arrays.asList(joined.split("\n", -1));
    }

    private static Optional<String> optional(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }

    static void setOptional(PreparedStatement ps, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            ps.setString(index, value.get());
        } else {
            ps.setNull(index, Types.VARCHAR);
        }
    }
}
