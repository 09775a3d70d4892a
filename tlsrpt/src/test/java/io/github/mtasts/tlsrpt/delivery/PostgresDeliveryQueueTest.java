package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract against a real PostgreSQL server of the test's own, and what only the PostgreSQL queue does. */
@Timeout(120)
class PostgresDeliveryQueueTest extends DeliveryQueueContract {

    static PostgresServer server;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start("mtasts");
        PostgresDeliveryQueue.open(server.dsn(), Duration.ofSeconds(5), 1, 1).close();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void emptyTables() throws Exception {
        execute("UPDATE queue_schema_version SET version = " + PostgresDeliveryQueue.SCHEMA_VERSION);
        execute("TRUNCATE delivery, report, report_day, queue_lease");
    }

    @Override
    DeliveryQueue open() {
        return PostgresDeliveryQueue.open(server.dsn(), Duration.ofSeconds(5), 1, 2);
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
            return rs.getString(1);
        }
    }

    @Test
    void timesAreBigintAndTheSchemaVersionIsItsOwn() throws Exception {
        assertThat(query("SELECT data_type FROM information_schema.columns"
                + " WHERE table_name = 'delivery' AND column_name = 'next_attempt'")).isEqualTo("bigint");
        assertThat(query("SELECT max(version) FROM queue_schema_version"))
                .isEqualTo(String.valueOf(PostgresDeliveryQueue.SCHEMA_VERSION));
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        execute("UPDATE queue_schema_version SET version = 99");

        assertThatThrownBy(this::open).isInstanceOf(DeliveryQueueException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("127.0.0.1:" + server.port());
    }
}
