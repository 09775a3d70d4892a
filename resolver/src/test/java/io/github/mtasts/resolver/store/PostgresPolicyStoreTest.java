package io.github.mtasts.resolver.store;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract and PostgreSQL's own behaviour, against a real server of the test's own. */
@Timeout(120)
class PostgresPolicyStoreTest extends PolicyStoreContract {

    static PostgresServer server;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start("mtasts");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static PostgresPolicyStore open() {
        return PostgresPolicyStore.open(server.dsn(), Duration.ofSeconds(2), 1, 2);
    }

    @Override
    PolicyStore newStore() throws Exception {
        PostgresPolicyStore opened = open();
        execute("TRUNCATE policy, policy_served, discovery_failure, lease");
        return opened;
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.append(i > 1 ? "," : "").append(rs.getString(i));
            }
            return row.toString();
        }
    }

    @Test
    void schemaVersionIsRecordedOnceAndTimesAreBigint() throws Exception {
        try (PostgresPolicyStore second = open()) {
            second.save(cached("example.com", "1", enforce(600, "mx.example.com")));
        }

        assertThat(query("SELECT count(*), max(version) FROM schema_version"))
                .isEqualTo("1," + PostgresPolicyStore.SCHEMA_VERSION);
        assertThat(query("SELECT data_type FROM information_schema.columns"
                + " WHERE table_name = 'policy' AND column_name = 'expires_at'")).isEqualTo("bigint");
    }

    @Test
    void failuresCountedBeforeFailureTimesWereKeptGetTheLastSecondOfTheirDay() throws Exception {
        execute("DROP TABLE discovery_failure");
        execute("""
                CREATE TABLE discovery_failure (domain TEXT NOT NULL, day DATE NOT NULL, type TEXT NOT NULL,
                  count BIGINT NOT NULL, last_detail TEXT NOT NULL, PRIMARY KEY (domain, day, type))""");
        execute("INSERT INTO discovery_failure VALUES ('a.example', '2026-11-29', 'POLICY_INVALID', 3, 'line 2')");
        execute("UPDATE schema_version SET version = 1");

        try (PostgresPolicyStore migrated = open()) {
            Instant lastSecond = Instant.parse("2026-11-29T23:59:59Z");
            assertThat(migrated.discoveryFailures("a.example")).containsExactly(new DiscoveryFailureCount(
                    "a.example", DAY, FailureType.POLICY_INVALID, 3, "line 2", lastSecond, lastSecond));
            migrated.discoveryFailure("a.example", T0, FailureType.POLICY_INVALID, "line 3");
            assertThat(migrated.discoveryFailures(DAY)).extracting(DiscoveryFailureCount::firstFailed)
                    .containsExactly(T0);
        }
        assertThat(query("SELECT max(version) FROM schema_version"))
                .isEqualTo(String.valueOf(PostgresPolicyStore.SCHEMA_VERSION));
    }

    @Test
    void databaseWithNewerSchemaIsRefusedNamingTheVersion() throws Exception {
        execute("UPDATE schema_version SET version = 99");
        try {
            assertThatThrownBy(PostgresPolicyStoreTest::open)
                    .isInstanceOf(PolicyStoreException.class)
                    .hasMessageContaining("schema version 99")
                    .hasMessageContaining(server.dsn());
        } finally {
            execute("UPDATE schema_version SET version = " + PostgresPolicyStore.SCHEMA_VERSION);
        }
    }

    @Test
    void storeFailsWhileTheServerIsDownAndWorksAgainAfterItsRestart() throws Exception {
        CachedPolicy saved = cached("outage.example", "1", enforce(600, "mx.outage.example"));
        store.save(saved);

        server.stop();
        try {
            assertThatThrownBy(() -> store.load("outage.example"))
                    .isInstanceOf(PolicyStoreException.class)
                    .hasMessageContaining("load policy of outage.example");
            // the next call does not wait for the dead server again
            assertThatThrownBy(() -> store.loadAll())
                    .isInstanceOf(PolicyStoreException.class)
                    .hasMessageContaining("server unreachable, next attempt within");
        } finally {
            server.restart();
        }

        assertThat(eventually(() -> store.load("outage.example"))).contains(saved);
    }

    @Test
    void storeOpenedWhileTheServerIsDownCreatesTheSchemaOnceItAnswers() throws Exception {
        execute("DROP TABLE policy, policy_served, discovery_failure, lease, schema_version");
        server.stop();
        PostgresPolicyStore late;
        try {
            late = open();
            assertThatThrownBy(() -> late.loadAll()).isInstanceOf(PolicyStoreException.class);
        } finally {
            server.restart();
        }
        try (late) {
            CachedPolicy saved = cached("late.example", "1", enforce(600, "mx.late.example"));
            assertThat(eventually(() -> {
                late.save(saved);
                return late.loadAll();
            })).containsExactly(saved);
        }
    }

    /** Retries while the store still reports the outage (it waits before trying the server again); a 60 s guard. */
    private static <T> T eventually(java.util.function.Supplier<T> operation) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return operation.get();
            } catch (PolicyStoreException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
