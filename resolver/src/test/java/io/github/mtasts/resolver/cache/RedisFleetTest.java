package io.github.mtasts.resolver.cache;

import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.RedisPolicyStore;
import io.github.mtasts.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Two daemons' caches sharing one real Redis server. */
class RedisFleetTest extends SharedStoreFleetContract {

    static RedisServer server;

    @BeforeAll
    static void startServer() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    PolicyStore openStore() {
        return RedisPolicyStore.open(server.url(), Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    @Override
    void clearServer() {
        RedisClient client = RedisClient.create(server.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().flushall();
        } finally {
            client.shutdown();
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
