package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStoreException;
import io.github.mtasts.resolver.store.PostgresPolicyStore;
import io.github.mtasts.resolver.store.RedisPolicyStore;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.daemon.ResolverDaemonTest.Client;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.PostgresServer;
import io.github.mtasts.testing.RedisServer;
import io.github.mtasts.testing.TestCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two assembled daemons sharing one real PostgreSQL or Redis, configured as an operator would: the first can discover
 * policies (dnsmasq knows the {@code _mta-sts} record), the second cannot (its DNS server knows nothing), so the second
 * can answer only with what the first put into the shared store.
 */
@Timeout(120)
class ResolverDaemonFleetTest {

    private static final String DOMAIN = "fleet-good.test";
    private static final String ANSWER = "OK secure match=mx.fleet-good.test servername=hostname";

    static TestCa ca;
    static Path caFile;
    static DnsmasqServer dns;
    static DnsmasqServer emptyDns;
    static PolicyHttpsServer https;
    static PostgresServer postgres;
    static RedisServer redis;

    @BeforeAll
    static void world(@TempDir Path dir) {
        ca = TestCa.create("fleet test CA");
        caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        dns = DnsmasqServer.builder().txt("_mta-sts." + DOMAIN, "v=STSv1; id=f1").start();
        emptyDns = DnsmasqServer.builder().start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts." + DOMAIN, ca.issue("mta-sts." + DOMAIN).serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx.fleet-good.test\nmax_age: 86400\n"))
                .start();
        postgres = PostgresServer.start("fleet");
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopWorld() {
        for (AutoCloseable c : new AutoCloseable[] {redis, postgres, https, emptyDns, dns}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static DaemonConfig config(DnsmasqServer nameserver, String cache) throws Exception {
        return ConfigLoader.parse("test", "host: 127.0.0.1\nport: 0\nca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"" + nameserver.hostPort() + "\"]\n  timeout: 2\n" + cache);
    }

    @Test
    void daemonsSharingPostgresServeWhatOneOfThemDiscovered() throws Exception {
        String cache = "cache:\n  type: postgres\n  options:\n    dsn: " + postgres.dsn() + "\n    timeout: 2\n";
        try (PolicyStore observer = PostgresPolicyStore.open(postgres.dsn(), Duration.ofSeconds(2), 1, 1)) {
            assertSecondDaemonServesWhatTheFirstDiscovered(cache, observer);
        }
    }

    @Test
    void daemonsSharingRedisServeWhatOneOfThemDiscovered() throws Exception {
        String cache = "cache:\n  type: redis\n  options:\n    url: " + redis.url() + "\n    socket_timeout: 2\n";
        try (PolicyStore observer = RedisPolicyStore.open(redis.url(), Optional.empty(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2))) {
            assertSecondDaemonServesWhatTheFirstDiscovered(cache, observer);
        }
    }

    private void assertSecondDaemonServesWhatTheFirstDiscovered(String cache, PolicyStore observer)
            throws Exception {
        observer.remove(DOMAIN);
        int fetchesBefore = https.requests("mta-sts." + DOMAIN);
        try (ResolverDaemon first = new ResolverDaemon(config(dns, cache), https.port());
             ResolverDaemon second = new ResolverDaemon(config(emptyDns, cache), https.port())) {
            first.start();
            second.start();
            try (Client client = Client.open(first.socketmapAddress())) {
                assertThat(client.ask("postfix " + DOMAIN)).isEqualTo(ANSWER);
            }
            // the first daemon writes the store after answering, off the request path
            assertThat(eventually(() -> observer.load(DOMAIN))).isPresent();

            try (Client client = Client.open(second.socketmapAddress())) {
                assertThat(client.ask("postfix " + DOMAIN)).isEqualTo(ANSWER);
            }
            assertThat(https.requests("mta-sts." + DOMAIN) - fetchesBefore).isEqualTo(1);
        }
    }

    /** Polls until {@code read} finds something; a hang guard of 30 s, not a timing check. */
    private static Optional<CachedPolicy> eventually(Supplier<Optional<CachedPolicy>> read) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Optional<CachedPolicy> found = Optional.empty();
        while (found.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                found = read.get();
            } catch (PolicyStoreException e) {
                found = Optional.empty();
            }
            if (found.isEmpty()) {
                Thread.sleep(50);
            }
        }
        return found;
    }
}
