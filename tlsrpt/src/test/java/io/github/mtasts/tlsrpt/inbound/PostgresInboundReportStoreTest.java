package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract against a real PostgreSQL server of the test's own, and what only the PostgreSQL store does. */
@Timeout(120)
class PostgresInboundReportStoreTest extends InboundReportStoreContract {

    static PostgresServer server;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start("mtasts");
        PostgresInboundReportStore.open(server.dsn(), Duration.ofSeconds(5), 1, 1).close();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void emptyTables() throws Exception {
        execute("UPDATE inbound_schema_version SET version = " + PostgresInboundReportStore.SCHEMA_VERSION);
        execute("TRUNCATE inbound_report CASCADE");
    }

    @Override
    InboundReportStore open() {
        return PostgresInboundReportStore.open(server.dsn(), Duration.ofSeconds(5), 1, 2);
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void timesAreBigintEpochSeconds() throws Exception {
        try (InboundReportStore store = open()) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"),
                    RECEIVED);
        }
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT received_at, start_time, pg_typeof(start_time)::text"
                     + " FROM inbound_report")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(RECEIVED.getEpochSecond());
            assertThat(rs.getLong(2)).isEqualTo(Instant.parse("2024-05-01T00:00:00Z").getEpochSecond());
            assertThat(rs.getString(3)).isEqualTo("bigint");
        }
    }

    @Test
    void newerInboundSchemaIsRefused() throws Exception {
        execute("UPDATE inbound_schema_version SET version = " + (PostgresInboundReportStore.SCHEMA_VERSION + 1));

        assertThatThrownBy(this::open)
                .isInstanceOf(InboundStoreException.class)
                .hasMessageContaining("newer than the " + PostgresInboundReportStore.SCHEMA_VERSION)
                .hasMessageContaining("127.0.0.1:" + server.port());
    }
}
