package io.github.mtasts.resolver.store;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePolicyStoreTest extends PolicyStoreContract {

    @TempDir
    Path dir;

    @Override
    PolicyStore newStore() {
        return SqlitePolicyStore.open(dir.resolve("contract.db"));
    }

    @Test
    void reopeningTheFileKeepsPoliciesAndSchemaVersion() throws Exception {
        Path file = dir.resolve("reopen.db");
        CachedPolicy saved = cached("example.com", "7", enforce(86400, "mx.example.com"));
        try (SqlitePolicyStore first = SqlitePolicyStore.open(file)) {
            first.save(saved);
        }

        try (SqlitePolicyStore second = SqlitePolicyStore.open(file)) {
            assertThat(second.load("example.com")).contains(saved);
        }
        assertThat(query(file, "SELECT count(*), max(version) FROM schema_version"))
                .isEqualTo("1," + SqlitePolicyStore.SCHEMA_VERSION);
    }

    @Test
    void failuresCountedBeforeFailureTimesWereKeptGetTheLastSecondOfTheirDay() throws Exception {
        Path file = dir.resolve("version2.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            st.execute("INSERT INTO schema_version (version) VALUES (2)");
            st.execute("""
                    CREATE TABLE discovery_failure (domain TEXT NOT NULL, day TEXT NOT NULL, type TEXT NOT NULL,
                      count INTEGER NOT NULL, last_detail TEXT NOT NULL, PRIMARY KEY (domain, day, type))""");
            st.execute("INSERT INTO discovery_failure VALUES ('a.example', '2026-11-29', 'POLICY_FETCH_ERROR', 4,"
                    + " 'HTTP 404')");
        }

        try (SqlitePolicyStore migrated = SqlitePolicyStore.open(file)) {
            Instant lastSecond = Instant.parse("2026-11-29T23:59:59Z");
            assertThat(migrated.discoveryFailures("a.example")).containsExactly(new DiscoveryFailureCount(
                    "a.example", DAY, FailureType.POLICY_FETCH_ERROR, 4, "HTTP 404", lastSecond, lastSecond));
        }
        assertThat(query(file, "SELECT max(version) FROM schema_version"))
                .isEqualTo(String.valueOf(SqlitePolicyStore.SCHEMA_VERSION));
    }

    @Test
    void databaseInWalMode() throws Exception {
        Path file = dir.resolve("wal.db");
        SqlitePolicyStore.open(file).close();

        assertThat(query(file, "PRAGMA journal_mode")).isEqualTo("wal");
    }

    @Test
    void databaseWithNewerSchemaIsRefusedNamingFileAndVersions() throws Exception {
        Path file = dir.resolve("newer.db");
        SqlitePolicyStore.open(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("UPDATE schema_version SET version = 99");
        }

        assertThatThrownBy(() -> SqlitePolicyStore.open(file))
                .isInstanceOf(PolicyStoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("schema version 99");
    }

    @Test
    void unwritableLocationFailsOpenWithTheFileName() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADirectory.resolve("policies.db");

        assertThatThrownBy(() -> SqlitePolicyStore.open(file))
                .isInstanceOf(PolicyStoreException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void operationsOnAClosedStoreThrowPolicyStoreException() {
        SqlitePolicyStore closed = SqlitePolicyStore.open(dir.resolve("closed.db"));
        closed.close();

        assertThatThrownBy(() -> closed.load("example.com"))
                .isInstanceOf(PolicyStoreException.class)
                .hasMessageContaining("load policy of example.com");
        assertThatThrownBy(() -> closed.save(cached("example.com", "1", enforce(60, "mx.example.com"))))
                .isInstanceOf(PolicyStoreException.class);
    }

    private static String query(Path file, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.append(i > 1 ? "," : "").append(rs.getString(i));
            }
            return row.toString();
        }
    }
}
