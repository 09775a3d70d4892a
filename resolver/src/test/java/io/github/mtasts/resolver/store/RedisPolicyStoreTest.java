package io.github.mtasts.resolver.store;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract and Redis's own behaviour (expiry, outages), against a real server of the test's own. */
@Timeout(120)
class RedisPolicyStoreTest extends PolicyStoreContract {

    static RedisServer server;

    @BeforeAll
    static void startServer() {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static RedisPolicyStore open() {
        return RedisPolicyStore.open(server.url(), Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    @Override
    PolicyStore newStore() {
        redis("FLUSHALL");
        return open();
    }

    /** Runs one command on a connection of its own and returns its reply as text. */
    private static String redis(String command, String... args) {
        RedisClient client = RedisClient.create(server.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return switch (command) {
                case "FLUSHALL" -> c.sync().flushall();
                case "TTL" -> Long.toString(c.sync().ttl(args[0]));
                case "HSET" -> Boolean.toString(c.sync().hset(args[0], args[1], args[2]));
                default -> throw new IllegalArgumentException(command);
            };
        } finally {
            client.shutdown();
        }
    }

    @Test
    void policyKeyExpiresAfterMaxAgePlusGrace() {
        store.save(cached("example.com", "1", enforce(86400, "mx.example.com")));

        long ttl = Long.parseLong(redis("TTL", "mtasts:policy:example.com"));

        // counted down from the save: beyond max_age, and at most max_age plus the grace
        assertThat(ttl).isGreaterThan(86400).isLessThanOrEqualTo(86400 + RedisPolicyStore.POLICY_GRACE.toSeconds());
    }

    @Test
    void servedAndFailureRecordsExpireAfterTheRecordTtl() {
        store.policyServed("a.example", enforce(600, "mx.a.example"), T0, T0);
        store.discoveryFailure("a.example", T0, io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType
                .POLICY_FETCH_ERROR, "HTTP 500");

        for (String key : new String[] {"mtasts:served:a.example", "mtasts:failure-count:" + DAY,
                "mtasts:failure-detail:" + DAY, "mtasts:failure-first:" + DAY, "mtasts:failure-last:" + DAY,
                "mtasts:failure-days:a.example"}) {
            assertThat(Long.parseLong(redis("TTL", key))).as(key)
                    .isGreaterThan(0).isLessThanOrEqualTo(RedisPolicyStore.RECORD_TTL.toSeconds());
        }
    }

    @Test
    void failuresCountedBeforeFailureTimesWereKeptGetTheLastSecondOfTheirDay() {
        redis("HSET", "mtasts:failure-count:" + DAY, "a.example WEBPKI_INVALID", "2");
        redis("HSET", "mtasts:failure-detail:" + DAY, "a.example WEBPKI_INVALID", "certificate expired");

        Instant lastSecond = Instant.parse("2026-11-29T23:59:59Z");
        assertThat(store.discoveryFailures(DAY)).containsExactly(new DiscoveryFailureCount("a.example", DAY,
                io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType.WEBPKI_INVALID, 2,
                "certificate expired", lastSecond, lastSecond));
    }

    @Test
    void leaseKeyExpiresWithTheLease() {
        store.tryLease("proactive-refresh", "daemon-a", Duration.ofMinutes(5));

        assertThat(Long.parseLong(redis("TTL", "mtasts:lease:proactive-refresh"))).isBetween(1L, 300L);
    }

    @Test
    void storeFailsWhileTheServerIsDownAndWorksAgainAfterItsRestart() {
        store.save(cached("outage.example", "1", enforce(600, "mx.outage.example")));

        server.stop();
        try {
            assertThatThrownBy(() -> store.load("outage.example"))
                    .isInstanceOf(PolicyStoreException.class)
                    .hasMessageContaining("load policy of outage.example");
        } finally {
            server.restart();
        }

        // this Redis keeps nothing across a restart; the store reconnects and works on the empty server
        CachedPolicy saved = cached("again.example", "1", enforce(600, "mx.again.example"));
        assertThat(eventually(() -> {
            store.save(saved);
            return store.load("again.example");
        })).contains(saved);
    }

    @Test
    void storeOpenedWhileTheServerIsDownConnectsOnceItAnswers() {
        server.stop();
        RedisPolicyStore late;
        try {
            late = open();
            assertThatThrownBy(late::loadAll).isInstanceOf(PolicyStoreException.class);
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

    @Test
    void sentinelLeadsToTheMasterItWatches() {
        try (RedisServer sentinel = RedisServer.startSentinel("policies", server);
             RedisPolicyStore viaSentinel = RedisPolicyStore.openSentinel("policies",
                     List.of(new RedisPolicyStore.SentinelAddress("127.0.0.1", sentinel.port())), Optional.empty(),
                     Optional.empty(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2))) {
            CachedPolicy saved = cached("sentinel.example", "1", enforce(600, "mx.sentinel.example"));

            eventually(() -> {
                viaSentinel.save(saved);
                return saved;
            });

            assertThat(store.load("sentinel.example")).contains(saved);
        }
    }

    @Test
    void unixUrlReachesTheServerThroughItsSocket() {
        try (RedisPolicyStore viaSocket = RedisPolicyStore.open("unix://" + server.socketPath(), Optional.empty(),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2))) {
            CachedPolicy saved = cached("socket.example", "1", enforce(600, "mx.socket.example"));

            viaSocket.save(saved);

            assertThat(store.load("socket.example")).contains(saved);
        }
    }

    @Test
    void unknownUrlSchemeIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> RedisPolicyStore.open("http://127.0.0.1:1", Optional.empty(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cache.options.url");
    }

    /** Retries while the store still reports the outage (reconnection takes Lettuce a moment); a hang guard of 60 s. */
    private static <T> T eventually(java.util.function.Supplier<T> operation) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return operation.get();
            } catch (PolicyStoreException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
