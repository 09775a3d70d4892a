package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.store.SqliteDatabase;
import io.github.mtasts.resolver.text.LogSafe;
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
import java.util.List;
import java.util.Map;

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
                    InboundRows.setOptional(ps, 5, report.contactInfo());
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
                InboundRows.insertChildren(connection, id, report);
                connection.commit();
                return Saved.STORED;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new InboundStoreException("cannot store report " + LogSafe.escape(report.reportId(), 100)
                    + " from " + LogSafe.escape(report.organizationName(), 100) + " in " + file + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<InboundReport> reports() {
        try {
            return InboundRows.reports(connection);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized InboundTotals totals(LocalDate first, LocalDate last) {
        try {
            // one snapshot: the report counts and the session sums agree even while the milter stores a report
            connection.setAutoCommit(false);
            try {
                return InboundRows.totals(connection, first, last);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized InboundOrganizations reporters(String domain, LocalDate first, LocalDate last, int limit) {
        try {
            return InboundRows.reporters(connection, domain, first, last, limit);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Map<String, long[]> dailyFailures(List<String> organizations, LocalDate first,
                                                          LocalDate last) {
        try {
            return InboundRows.dailyFailures(connection, organizations, first, last);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized InboundOrganizations organizations(LocalDate first, LocalDate last, int limit) {
        try {
            return InboundRows.organizations(connection, first, last, limit);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized InboundOrganizations.Seen organization(String organization, LocalDate first, LocalDate last,
                                                               int limit) {
        try {
            return InboundRows.organization(connection, organization, first, last, limit);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + file + ": " + e.getMessage(), e);
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
