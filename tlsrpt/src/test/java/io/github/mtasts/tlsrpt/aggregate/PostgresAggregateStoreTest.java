package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.store.PostgresPolicyStore;
import io.github.mtasts.testing.PostgresServer;
import io.github.mtasts.tlsrpt.logs.SourceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract against a real PostgreSQL server of the test's own, and what only a shared database does. */
@Timeout(120)
class PostgresAggregateStoreTest extends AggregateStoreContract {

    static PostgresServer server;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start("mtasts");
        open("mx1.example.net").close();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static PostgresAggregateStore open(String host) {
        return PostgresAggregateStore.open(server.dsn(), Duration.ofSeconds(5), 1, 2, host);
    }

    @BeforeEach
    void emptyTables() throws Exception {
        execute("DROP TRIGGER IF EXISTS fail_offset ON ingest_offset");
        execute("UPDATE aggregate_schema_version SET version = " + PostgresAggregateStore.SCHEMA_VERSION);
        execute("TRUNCATE session_count, failure_detail, ingest_offset, ingest_stats, ingest_sample");
    }

    @Override
    AggregateStore open() {
        return open("mx1.example.net");
    }

    @Override
    void failOffsetWritesOf(long committed) throws Exception {
        execute("CREATE OR REPLACE FUNCTION fail_offset() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.committed_offset = " + committed + " THEN RAISE EXCEPTION 'disk on fire'; END IF;"
                + " RETURN NEW; END $$");
        execute("CREATE TRIGGER fail_offset BEFORE INSERT OR UPDATE ON ingest_offset FOR EACH ROW"
                + " EXECUTE FUNCTION fail_offset()");
    }

    @Override
    String databaseName() {
        return "127.0.0.1:" + server.port() + "/mtasts";
    }

    static void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void hostsNeverSeeEachOthersOffsetsButShareTheCounts() {
        try (AggregateStore mx1 = open("mx1.example.net"); AggregateStore mx2 = open("mx2.example.net")) {
            mx1.commit(batch("example.com", 2, 0, LOG, 100));
            mx2.commit(batch("example.com", 3, 1, LOG, 40));

            assertThat(mx1.offset(LOG)).contains(new SourceOffset(100, 50));
            assertThat(mx2.offset(LOG)).contains(new SourceOffset(40, 20));
            assertThat(mx2.offsets("file:/var/log/mail.log")).containsOnlyKeys(LOG)
                    .containsValue(new SourceOffset(40, 20));
            assertThat(mx1.day(DAY).get(0).successes()).isEqualTo(5);
            assertThat(mx2.day(DAY).get(0).failures()).isEqualTo(1);
        }
    }

    @Test
    void offsetsRecordTheirHost() throws Exception {
        try (AggregateStore mx2 = open("mx2.example.net")) {
            mx2.commit(batch("example.com", 1, 0, new SourceId("file:/var/log/mail.log#ino=9"), 10));
        }
        assertThat(query("SELECT host FROM ingest_offset WHERE source = 'file:/var/log/mail.log#ino=9'"))
                .isEqualTo("mx2.example.net");
    }

    @Test
    void sharesTheDatabaseWithThePolicyStoreEachWithItsOwnSchemaVersion() throws Exception {
        try (PostgresPolicyStore policies = PostgresPolicyStore.open(server.dsn(), Duration.ofSeconds(5), 1, 1);
             AggregateStore store = open()) {
            store.commit(batch(1, 0, 1));
            assertThat(policies.servedPolicies("example.com")).isEmpty();
        }
        assertThat(query("SELECT max(version) FROM schema_version"))
                .isEqualTo(String.valueOf(PostgresPolicyStore.SCHEMA_VERSION));
        assertThat(query("SELECT max(version) FROM aggregate_schema_version"))
                .isEqualTo(String.valueOf(PostgresAggregateStore.SCHEMA_VERSION));
        assertThat(query("SELECT data_type FROM information_schema.columns"
                + " WHERE table_name = 'session_count' AND column_name = 'success'")).isEqualTo("bigint");
    }

    @Test
    void migratesAVersionOneDatabaseKeepingItsOffsetsWithoutFingerprint() throws Exception {
        execute("ALTER TABLE ingest_offset DROP COLUMN fingerprint, DROP COLUMN journal_cursor");
        execute("ALTER TABLE failure_detail DROP COLUMN receiving_mx_helo");
        execute("ALTER TABLE failure_detail ADD PRIMARY KEY (day, policy_domain, policy_type, policy_hash, result_type,"
                + " sending_mta_ip, receiving_mx_hostname, receiving_ip, failure_reason_code)");
        execute("UPDATE aggregate_schema_version SET version = 1");
        execute("INSERT INTO ingest_offset (host, source, committed_offset, replay_offset, updated_at)"
                + " VALUES ('mx1.example.net', 'file:/var/log/mail.log#ino=7', 120, 100, 0)");
        execute("INSERT INTO failure_detail VALUES ('2026-11-28', 'a.test', 'no-policy-found', '',"
                + " 'certificate-expired', '', 'mx.a.test', '198.51.100.1', 'expired', 2)");

        try (AggregateStore store = open()) {
            assertThat(store.offset(LOG)).contains(new SourceOffset(120, 100, "", ""));
            assertThat(query("SELECT '[' || receiving_mx_helo || '] ' || count FROM failure_detail"))
                    .as("a version-one failure kept, without an EHLO name").isEqualTo("[] 2");
            AggregateBatch batch = new AggregateBatch();
            batch.add(new CountedSession(java.time.LocalDate.of(2026, 11, 28), "a.test", PolicyGroup.NO_POLICY,
                    new FailureKey(io.github.mtasts.tlsrpt.sessions.ResultType.CERTIFICATE_EXPIRED, "", "mx.a.test",
                            "198.51.100.1", "expired")));
            store.commit(batch);
        }
        assertThat(query("SELECT count(*) || ' ' || sum(count) FROM failure_detail"))
                .as("the migrated row is the one a new session of the same failure adds to").isEqualTo("1 3");
        assertThat(query("SELECT max(version) FROM aggregate_schema_version"))
                .isEqualTo(String.valueOf(PostgresAggregateStore.SCHEMA_VERSION));
    }

    @Test
    void refusesADatabaseWithANewerAggregateSchema() throws Exception {
        execute("UPDATE aggregate_schema_version SET version = 99");

        assertThatThrownBy(this::open)
                .isInstanceOf(AggregateStoreException.class)
                .hasMessageContaining("schema version 99");
    }

    @Test
    void unreachableServerFailsNamingTheDatabaseWithoutItsPassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String dsn = "postgresql://mtasts:secret@127.0.0.1:" + closedPort + "/mtasts";

        assertThatThrownBy(() -> PostgresAggregateStore.open(dsn, Duration.ofSeconds(1), 1, 1, "mx1"))
                .isInstanceOf(AggregateStoreException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageNotContaining("secret");
    }
}
