package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.daemon.ResolverDaemonTest.Client;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.TestCa;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Overrides in the assembled daemon, against dnsmasq and real HTTPS policy hosts. */
@Timeout(60)
class ResolverDaemonOverridesTest {

    static TestCa ca;
    static DnsmasqServer dns;
    static PolicyHttpsServer https;
    static Path caFile;

    @BeforeAll
    static void world(@TempDir Path dir) {
        ca = TestCa.create("overrides test CA");
        caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        dns = DnsmasqServer.builder()
                .txt("_mta-sts.ovr-cached.test", "v=STSv1; id=c1")
                .txt("_mta-sts.ovr-parent.test", "v=STSv1; id=p1")
                .start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.ovr-cached.test", ca.issue("mta-sts.ovr-cached.test").serverContext(), Response.policy(
                        "version: STSv1\nmode: enforce\nmx: mx.ovr-cached.test\nmax_age: 604800\n"))
                .host("mta-sts.ovr-parent.test", ca.issue("mta-sts.ovr-parent.test").serverContext(), Response.policy(
                        "version: STSv1\nmode: enforce\nmx: mx.ovr-parent.test\nmax_age: 604800\n"))
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
    void overrideAddedAfterRestartWinsOverTheCachedPolicyWithoutDiscovery(@TempDir Path dir) throws Exception {
        String cache = "cache: {type: sqlite, options: {filename: " + dir.resolve("c.db") + "}}\n";
        try (ResolverDaemon daemon = start(cache); Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix ovr-cached.test"))
                    .isEqualTo("OK secure match=mx.ovr-cached.test servername=hostname");
        }
        int fetches = https.requests("mta-sts.ovr-cached.test");
        int queries = txtQueries("ovr-cached.test");
        List<ServedPolicy> servedBefore;
        try (SqlitePolicyStore store = SqlitePolicyStore.open(dir.resolve("c.db"))) {
            servedBefore = store.servedPolicies("ovr-cached.test");
        }
        assertThat(servedBefore).hasSize(1);

        try (ResolverDaemon daemon = start(cache + "overrides: {ovr-cached.test: dane-only}\n");
                Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix ovr-cached.test")).isEqualTo("OK dane-only");
            assertThat(client.ask("postfix OVR-CACHED.test.")).isEqualTo("OK dane-only");
            assertThat(client.ask("anyzone ovr-cached.test")).isEqualTo("OK dane-only");

            assertThat(daemon.policyStore().load("ovr-cached.test")).as("the cached policy is still stored").isPresent();
            assertThat(metrics(daemon)).contains("mtasts_lookups_total{result=\"override\"} 3.0")
                    .contains("mtasts_cache_hits_total 0.0").contains("mtasts_cache_misses_total 0.0")
                    .doesNotContain("mtasts_discovery_seconds_count");
        }
        try (SqlitePolicyStore store = SqlitePolicyStore.open(dir.resolve("c.db"))) {
            assertThat(store.servedPolicies("ovr-cached.test"))
                    .as("the warm start did not record the stored policy as served: the override was answered")
                    .isEqualTo(servedBefore);
        }
        assertThat(https.requests("mta-sts.ovr-cached.test")).isEqualTo(fetches);
        assertThat(txtQueries("ovr-cached.test")).isEqualTo(queries);
    }

    @Test
    void mostSpecificOverrideWinsAndTheParentItselfIsDiscovered() throws Exception {
        try (ResolverDaemon daemon = start("""
                cache: {type: internal}
                overrides:
                  .ovr-parent.test: encrypt
                  .deep.ovr-parent.test: {secure: {match: [mx.deep.ovr-parent.test, .ovr-parent.test]}}
                  exact.deep.ovr-parent.test: none
                """); Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix a.ovr-parent.test")).isEqualTo("OK encrypt");
            assertThat(client.ask("postfix deep.ovr-parent.test")).isEqualTo("OK encrypt");
            assertThat(client.ask("postfix b.deep.ovr-parent.test"))
                    .isEqualTo("OK secure match=mx.deep.ovr-parent.test:.ovr-parent.test servername=hostname");
            assertThat(client.ask("postfix exact.deep.ovr-parent.test")).isEqualTo("NOTFOUND ");
            assertThat(txtQueries("a.ovr-parent.test") + txtQueries("deep.ovr-parent.test")
                    + txtQueries("b.deep.ovr-parent.test") + txtQueries("exact.deep.ovr-parent.test")).isZero();

            // a .parent entry covers the subdomains only: the domain itself has its MTA-STS policy
            assertThat(client.ask("postfix ovr-parent.test"))
                    .isEqualTo("OK secure match=mx.ovr-parent.test servername=hostname");
            assertThat(metrics(daemon)).contains("mtasts_lookups_total{result=\"override\"} 4.0")
                    .contains("mtasts_lookups_total{result=\"secure\"} 1.0")
                    .contains("mtasts_cache_misses_total 1.0");
        }
    }

    static String metrics(ResolverDaemon daemon) throws Exception {
        InetSocketAddress address = daemon.httpAddress().orElseThrow();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
