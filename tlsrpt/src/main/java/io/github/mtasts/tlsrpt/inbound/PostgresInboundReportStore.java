package io.github.mtasts.tlsrpt.inbound;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mtasts.resolver.store.PostgresDatabase;
import io.github.mtasts.resolver.store.PostgresDsn;
import io.github.mtasts.resolver.text.LogSafe;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The received reports in the PostgreSQL database a fleet shares, the tables of {@link SqliteInboundReportStore}
 * with their own version table ({@code inbound_schema_version}): the milters of several receiving hosts store into
 * one place, and a report two of them received is kept once (the unique key decides, in the database).
 * Times are BIGINT epoch seconds.
 */
public final class PostgresInboundReportStore implements InboundReportStore {

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE inbound_report (
              id BIGSERIAL PRIMARY KEY,
              organization TEXT NOT NULL,
              report_id TEXT NOT NULL,
              start_time BIGINT NOT NULL,
              end_time BIGINT NOT NULL,
              contact_info TEXT,
              received_at BIGINT NOT NULL,
              json TEXT NOT NULL,
              UNIQUE (organization, report_id, start_time, end_time))""",
            """
            CREATE TABLE inbound_policy (
              report BIGINT NOT NULL REFERENCES inbound_report (id) ON DELETE CASCADE,
              position INTEGER NOT NULL,
              policy_type TEXT NOT NULL,
              policy_domain TEXT,
              policy_string TEXT NOT NULL,
              mx_hosts TEXT NOT NULL,
              successful BIGINT NOT NULL,
              failed BIGINT NOT NULL,
              PRIMARY KEY (report, position))""",
            """
            CREATE TABLE inbound_failure (
              report BIGINT NOT NULL REFERENCES inbound_report (id) ON DELETE CASCADE,
              policy_position INTEGER NOT NULL,
              position INTEGER NOT NULL,
              result_type TEXT NOT NULL,
              sending_mta_ip TEXT,
              receiving_mx_hostname TEXT,
              receiving_mx_helo TEXT,
              receiving_ip TEXT,
              failed BIGINT NOT NULL,
              additional_information TEXT,
              failure_reason_code TEXT,
              PRIMARY KEY (report, policy_position, position))""",
            """
            CREATE TABLE inbound_deviation (
              report BIGINT NOT NULL REFERENCES inbound_report (id) ON DELETE CASCADE,
              position INTEGER NOT NULL,
              text TEXT NOT NULL,
              PRIMARY KEY (report, position))""",
            "CREATE INDEX inbound_policy_domain ON inbound_policy (policy_domain)"),
            // 2: names of up to 1,024 characters (ReportLimits) may exceed one B-tree entry (2,704 bytes): the
            // sender's names are unique by their digest
            List.of("""
                    ALTER TABLE inbound_report
                      DROP CONSTRAINT IF EXISTS inbound_report_organization_report_id_start_time_end_time_key""",
                    """
                    CREATE UNIQUE INDEX IF NOT EXISTS inbound_report_identity
                      ON inbound_report (md5(organization), md5(report_id), start_time, end_time)"""));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private final String description;
    private final HikariDataSource pool;

    private PostgresInboundReportStore(String description, HikariDataSource pool) {
        this.description = description;
        this.pool = pool;
    }

    /**
     * Connects to {@code dsn} and brings the inbound tables to the current schema.
     *
     * @param timeout bound of every wait for the server
     * @throws IllegalArgumentException for a malformed dsn
     * @throws InboundStoreException    when the server cannot be reached or its tables are newer than ours
     */
    public static PostgresInboundReportStore open(String dsn, Duration timeout, int minSize, int maxSize) {
        String description = "inbound report database " + PostgresDsn.redact(dsn);
        HikariDataSource pool;
        try {
            pool = PostgresDatabase.pool(dsn, "mtasts-inbound-reports", timeout, minSize, maxSize);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot open " + description + ": " + e.getMessage(), e);
        }
        try (Connection c = pool.getConnection()) {
            PostgresDatabase.migrate(c, "inbound report", "inbound_schema_version", MIGRATIONS);
        } catch (SQLException e) {
            pool.close();
            throw new InboundStoreException("cannot open " + description + ": " + e.getMessage(), e);
        }
        return new PostgresInboundReportStore(description, pool);
    }

    @Override
    public Saved save(InboundReport report, byte[] json, Instant receivedAt) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO inbound_report (organization, report_id, start_time, end_time, contact_info,
                      received_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (md5(organization), md5(report_id), start_time, end_time) DO NOTHING RETURNING id""")) {
                ps.setString(1, report.organizationName());
                ps.setString(2, report.reportId());
                ps.setLong(3, report.start().getEpochSecond());
                ps.setLong(4, report.end().getEpochSecond());
                InboundRows.setOptional(ps, 5, report.contactInfo());
                ps.setLong(6, receivedAt.getEpochSecond());
                ps.setString(7, new String(json, StandardCharsets.UTF_8));
                long id;
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return Saved.DUPLICATE;
                    }
                    id = rs.getLong(1);
                }
                InboundRows.insertChildren(c, id, report);
                c.commit();
                return Saved.STORED;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new InboundStoreException("cannot store report " + LogSafe.escape(report.reportId(), 100)
                    + " from " + LogSafe.escape(report.organizationName(), 100) + " in " + description + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<InboundReport> reports() {
        try (Connection c = pool.getConnection()) {
            // one snapshot: a report saved by another host meanwhile comes whole or not at all
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return InboundRows.reports(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + description + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public InboundTotals totals(LocalDate first, LocalDate last) {
        try (Connection c = pool.getConnection()) {
            // one snapshot: the report counts and the session sums agree while other hosts store reports
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return InboundRows.totals(c, first, last);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + description + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public InboundOrganizations reporters(String domain, LocalDate first, LocalDate last, int limit) {
        try (Connection c = pool.getConnection()) {
            return InboundRows.reporters(c, domain, first, last, limit);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, long[]> dailyFailures(List<String> organizations, LocalDate first, LocalDate last) {
        try (Connection c = pool.getConnection()) {
            return InboundRows.dailyFailures(c, organizations, first, last);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + description + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public InboundOrganizations organizations(LocalDate first, LocalDate last, int limit) {
        try (Connection c = pool.getConnection()) {
            return InboundRows.organizations(c, first, last, limit);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + description + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public InboundOrganizations.Seen organization(String organization, LocalDate first, LocalDate last, int limit) {
        try (Connection c = pool.getConnection()) {
            return InboundRows.organization(c, organization, first, last, limit);
        } catch (SQLException e) {
            throw new InboundStoreException("cannot read inbound reports from " + description + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
