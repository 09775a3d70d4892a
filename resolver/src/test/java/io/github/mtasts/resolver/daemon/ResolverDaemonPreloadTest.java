package io.github.mtasts.resolver.daemon;

import static io.github.mtasts.resolver.daemon.ResolverDaemonOverridesTest.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.daemon.ResolverDaemonTest.Client;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.TestCa;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The preload list in the assembled daemon, against dnsmasq and real HTTPS policy hosts. */
@Timeout(60)
class ResolverDaemonPreloadTest {

    static TestCa ca;
    static DnsmasqServer dns;
    static PolicyHttpsServer https;
    static Path caFile;

    @BeforeAll
    static void world(@TempDir Path dir) {
        ca = TestCa.create("preload test CA");
        caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        dns = DnsmasqServer.builder()
                .txt("_mta-sts.pre-good.test", "v=STSv1; id=g1")
                .txt("_mta-sts.pre-hang.test", "v=STSv1; id=h1")
                .start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.pre-good.test", ca.issue("mta-sts.pre-good.test").serverContext(), Response.policy(
                        "version: STSv1\nmode: enforce\nmx: mx.pre-good.test\nmax_age: 604800\n"))
                .host("mta-sts.pre-hang.test", ca.issue("mta-sts.pre-hang.test").serverContext(), Response.hang())
                .start();
    }

    @AfterAll
    static void stopWorld() {
        if (https != null) {
            https.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static ResolverDaemon start(String extra) throws Exception {
        DaemonConfig config = ConfigLoader.parse("test", "host: 127.0.0.1\nport: 0\nca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"" + dns.hostPort() + "\"]\n  timeout: 2\n"
                + "http: {port: 0}\nmetrics: {enabled: true}\n" + extra);
        ResolverDaemon daemon = new ResolverDaemon(config, https.port());
        daemon.start();
        return daemon;
    }

    private static int txtQueries(String domain) {
        return dns.log().split("query\\[TXT\\] _mta-sts\\." + domain.replace(".", "\\.") + " ", -1).length - 1;
    }

    @Test
    void preloadRunsInTheBackgroundAndTheFirstLookupIsAHitWithoutDiscovery(@TempDir Path dir) throws Exception {
        int fetchesBefore = https.requests("mta-sts.pre-good.test");
        try (ResolverDaemon daemon = start("cache: {type: sqlite, options: {filename: " + dir.resolve("c.db") + "}}\n"
                + "preload: [pre-good.test, pre-hang.test]\n");
                Client client = Client.open(daemon.socketmapAddress())) {
            // answered while the preload of pre-hang.test waits for a policy host that never answers
            assertThat(client.ask("postfix [192.0.2.1]")).isEqualTo("NOTFOUND ");
            assertThat(daemon.preloading()).as("still waiting for mta-sts.pre-hang.test").isNotDone();

            while (daemon.policyStore().load("pre-good.test").isEmpty()) {
                Thread.sleep(50);
            }
            int queries = txtQueries("pre-good.test");
            int fetches = https.requests("mta-sts.pre-good.test");

            assertThat(client.ask("postfix pre-good.test")).isEqualTo("OK secure match=mx.pre-good.test servername=hostname");

            assertThat(fetches - fetchesBefore).isEqualTo(1);
            assertThat(https.requests("mta-sts.pre-good.test")).isEqualTo(fetches);
            assertThat(txtQueries("pre-good.test")).isEqualTo(queries);
            assertThat(metrics(daemon)).contains("mtasts_cache_hits_total 1.0").contains("mtasts_cache_misses_total 0.0");
        }
    }

    @Test
    void proactiveRefresherReChecksPreloadedDomainsNobodyLooksUp() throws Exception {
        int queriesBefore = txtQueries("pre-good.test");
        int fetchesBefore = https.requests("mta-sts.pre-good.test");
        // every second, and every policy confirmed in an earlier second is due (interval / grace_ratio is 1 ms)
        try (ResolverDaemon daemon = start("cache: {type: internal}\npreload: [pre-good.test]\n"
                + "proactive_policy_fetching: {enabled: true, interval: 1, grace_ratio: 1000}\n")) {
            assertThat(daemon.preloading().get(30, TimeUnit.SECONDS)).isEqualTo(1);
            // the discovery, then at least two proactive re-checks of the TXT id, without a single lookup
            while (txtQueries("pre-good.test") - queriesBefore < 3) {
                Thread.sleep(100);
            }
            assertThat(metrics(daemon)).containsPattern("\nmtasts_cache_refreshes_total [1-9]")
                    .contains("mtasts_cache_misses_total 0.0").contains("mtasts_cache_hits_total 0.0");
            // RFC 8461 §3.3: the TXT id is unchanged, so the policy is not fetched again
            assertThat(https.requests("mta-sts.pre-good.test") - fetchesBefore).isEqualTo(1);

            try (Client client = Client.open(daemon.socketmapAddress())) {
                assertThat(client.ask("postfix pre-good.test")).startsWith("OK secure match=mx.pre-good.test");
            }
            assertThat(metrics(daemon)).contains("mtasts_cache_hits_total 1.0");
        }
    }
}
