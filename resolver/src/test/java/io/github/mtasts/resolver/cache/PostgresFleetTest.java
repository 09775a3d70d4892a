package io.github.mtasts.resolver.cache;

import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PostgresPolicyStore;
import io.github.mtasts.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Two daemons' caches sharing one real PostgreSQL server. */
class PostgresFleetTest extends SharedStoreFleetContract {

    static PostgresServer server;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start("fleet");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    PolicyStore openStore() {
        return PostgresPolicyStore.open(server.dsn(), Duration.ofSeconds(2), 1, 2);
    }

    @Override
    void clearServer() throws Exception {
        openStore().close();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
             Statement st = c.createStatement()) {
            st.execute("TRUNCATE policy, policy_served, discovery_failure, lease");
        }
    }

    @Override
    void stopServer() {
        server.stop();
    }

    @Override
    void restartServer() {
        server.restart();
    }
}
