package io.github.mtasts.tlsrpt.inbound;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
