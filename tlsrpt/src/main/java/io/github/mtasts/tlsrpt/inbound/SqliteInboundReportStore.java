package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.store.SqliteDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The received reports in SQLite: by default the policy cache's database file, with tables of its own and a
 * schema version of its own ({@code inbound_schema_version}), so the policy store's migrations and ours
 * never step on each other. One connection used under this object's lock. Times are epoch seconds.
 */
public final class SqliteInboundReportStore implements InboundReportStore {

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE inbound_report (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              organization TEXT NOT NULL,
              report_id TEXT NOT NULL,
              start_time INTEGER NOT NULL,
              end_time INTEGER NOT NULL,
              contact_info TEXT,
              received_at INTEGER NOT NULL,
              json TEXT NOT NULL,
              UNIQUE (organization, report_id, start_time, end_time))""",
            """
            CREATE TABLE inbound_policy (
              report INTEGER NOT NULL REFERENCES inbound_report (id) ON DELETE CASCADE,
              position INTEGER NOT NULL,
              policy_type TEXT NOT NULL,
              policy_domain TEXT,
              policy_string TEXT NOT NULL,
              mx_hosts TEXT NOT NULL,
              successful INTEGER NOT NULL,
              failed INTEGER NOT NULL,
              PRIMARY KEY (report, position))""",
            """
            CREATE TABLE inbound_failure (
              report INTEGER NOT NULL REFERENCES inbound_report (id) ON DELETE CASCADE,
              policy_position INTEGER NOT NULL,
              position INTEGER NOT NULL,
              result_type TEXT NOT NULL,
              sending_mta_ip TEXT,
              receiving_mx_hostname TEXT,
              receiving_mx_helo TEXT,
              receiving_ip TEXT,
              failed INTEGER NOT NULL,
              additional_information TEXT,
              failure_reason_code TEXT,
              PRIMARY KEY (report, policy_position, position))""",
            """
            CREATE TABLE inbound_deviation (
              report INTEGER NOT NULL REFERENCES inbound_report (id) ON DELETE CASCADE,
              position INTEGER NOT NULL,
              text TEXT NOT NULL,
              PRIMARY KEY (report, position))""",
            "CREATE INDEX inbound_policy_domain ON inbound_policy (policy_domain)"));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private final Path file;
    private final Connection connection;

    private SqliteInboundReportStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) {@code file} and brings the inbound tables to {@link #SCHEMA_VERSION}. */
    public static SqliteInboundReportStore open(Path file) {
        try {
            return new SqliteInboundReportStore(file, SqliteDatabase.open(file, "inbound report", "inbound_schema_version", MIGRATIONS,
                    Duration.ofSeconds(5), SqliteDatabase.Durability.PROCESS_CRASH, "foreign_keys = ON"));
        } catch (SQLException e) {
            throw new InboundStoreException("cannot open inbound report database " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Saved save(InboundReport report, byte[] json, Instant receivedAt) {
        try {
            connection.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement ps = connection.prepareStatement("""
                        INSERT INTO inbound_report (organization, report_id, start_time, end_time, contact_info,
                          received_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (organization, report_id, start_time, end_time) DO NOTHING""")) {
                    ps.setString(1, report.organizationName());
                    ps.setString(2, report.reportId());
                    ps.setLong(3, report.start().getEpochSecond());
                    ps.setLong(4, report.end().getEpochSecond());
                    setOptional(ps, 5, report.contactInfo());
                    ps.setLong(6, receivedAt.getEpochSecond());
                    ps.setString(7, new String(json, StandardCharsets.UTF_8));
                    if (ps.executeUpdate() == 0) {
                        connection.rollback();
                        return Saved.DUPLICATE;
                    }
                }
                try (Statement st = connection.createStatement();
                     ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
                    rs.next();
                    id = rs.getLong(1);
                }
                insertChildren(id, report);
                connection.commit();
                return Saved.STORED;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new InboundStoreException("cannot store report " + report.reportId() + " from "
                    + report.organizationName() + " in " + file + ": " + e.getMessage(), e);
        }
    }

    private void insertChildren(long id, InboundReport report) throws SQLException {
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

    @Override
    public synchronized List<InboundReport> reports() {
        try {
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
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + file + ": " + e.getMessage(), e);
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

    private static void setOptional(PreparedStatement ps, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            ps.setString(index, value.get());
        } else {
            ps.setNull(index, Types.VARCHAR);
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing on the way out; nothing left to protect
            }
        }
    }
}
