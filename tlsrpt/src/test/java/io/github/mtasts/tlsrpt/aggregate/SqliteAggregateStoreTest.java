package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.store.SqlitePolicyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on a SQLite file, and what only the SQLite store does. */
class SqliteAggregateStoreTest extends AggregateStoreContract {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("cache.db");
    }

    @Override
    AggregateStore open() {
        return SqliteAggregateStore.open(file());
    }

    @Override
    void failOffsetWritesOf(long committed) throws SQLException {
        // a real SQLite abort at the transaction's last statement, the offset write
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER fail_offset BEFORE UPDATE ON ingest_offset WHEN NEW.committed_offset = "
                    + committed + " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
        }
    }

    @Override
    String databaseName() {
        return "cache.db";
    }

    @Test
    void sharesTheFileWithThePolicyStoreWithoutTouchingItsSchemaVersion() throws SQLException {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(file());
             SqliteAggregateStore store = SqliteAggregateStore.open(file())) {
            store.commit(batch(1, 0, 1));
        }
        try (SqlitePolicyStore reopened = SqlitePolicyStore.open(file());
             Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM schema_version")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(SqlitePolicyStore.SCHEMA_VERSION);
            assertThat(reopened.servedPolicies("example.com")).isEmpty();
        }
    }

    @Test
    void migratesAVersionOneDatabaseKeepingItsOffsetsWithoutFingerprint() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE aggregate_schema_version (version INTEGER NOT NULL)");
            st.execute("INSERT INTO aggregate_schema_version VALUES (1)");
            st.execute("CREATE TABLE ingest_offset (source TEXT PRIMARY KEY, committed_offset INTEGER NOT NULL,"
                    + " replay_offset INTEGER NOT NULL)");
            st.execute("INSERT INTO ingest_offset VALUES ('file:/var/log/mail.log#ino=7', 120, 100)");
            // the version-one counter tables, as far as later steps touch them
            st.execute("CREATE TABLE session_count (day TEXT NOT NULL, policy_domain TEXT NOT NULL)");
            st.execute("""
                    CREATE TABLE failure_detail (day TEXT NOT NULL, policy_domain TEXT NOT NULL, policy_type TEXT NOT NULL,
                      policy_hash TEXT NOT NULL, result_type TEXT NOT NULL, sending_mta_ip TEXT NOT NULL,
                      receiving_mx_hostname TEXT NOT NULL, receiving_ip TEXT NOT NULL,
                      failure_reason_code TEXT NOT NULL, count INTEGER NOT NULL,
                      PRIMARY KEY (day, policy_domain, policy_type, policy_hash, result_type, sending_mta_ip,
                                   receiving_mx_hostname, receiving_ip, failure_reason_code))""");
            st.execute("INSERT INTO failure_detail VALUES ('2026-11-28', 'a.test', 'no-policy-found', '',"
                    + " 'certificate-expired', '', 'mx.a.test', '198.51.100.1', 'expired', 2)");
        }
        try (SqliteAggregateStore store = SqliteAggregateStore.open(file())) {
            assertThat(store.offset(LOG)).contains(new SourceOffset(120, 100, "", ""));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT receiving_mx_helo, count FROM failure_detail")) {
            assertThat(rs.next()).as("a version-one failure kept, without an EHLO name").isTrue();
            assertThat(rs.getString(1)).isEmpty();
            assertThat(rs.getLong(2)).isEqualTo(2);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM aggregate_schema_version")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(SqliteAggregateStore.SCHEMA_VERSION).isEqualTo(4);
        }
    }

    @Test
    void refusesADatabaseWithANewerAggregateSchema() throws SQLException {
        SqliteAggregateStore.open(file()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement st = c.createStatement()) {
            st.execute("UPDATE aggregate_schema_version SET version = 99");
        }
        assertThatThrownBy(() -> SqliteAggregateStore.open(file()))
                .isInstanceOf(AggregateStoreException.class)
                .hasMessageContaining("schema version 99");
    }
}
