package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.socketmap.Netstring;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.SystemResolverOverride;
import io.github.mtasts.testing.TestCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The assembled daemon against dnsmasq and real HTTPS policy hosts, spoken to over real sockets. */
@Timeout(60)
class ResolverDaemonTest {

    private static final String GOOD = "version: STSv1\nmode: enforce\nmx: mx.daemon-good.test\nmx: *.backup.daemon-good.test\n"
            + "max_age: 604800\n";

    static TestCa ca;
    static DnsmasqServer dns;
    static PolicyHttpsServer https;
    static Path caFile;

    @BeforeAll
    static void world(@TempDir Path dir) {
        ca = TestCa.create("daemon test CA");
        caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        dns = records(true).start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.daemon-good.test", tls("mta-sts.daemon-good.test"), Response.policy(GOOD))
                .host("mta-sts.daemon-testing.test", tls("mta-sts.daemon-testing.test"),
                        Response.policy("version: STSv1\nmode: testing\nmx: mx.daemon-testing.test\nmax_age: 86400\n"))
                .host("mta-sts.daemon-hang.test", tls("mta-sts.daemon-hang.test"), Response.hang())
                .host("mta-sts.daemon-flight.test", tls("mta-sts.daemon-flight.test"),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx.daemon-flight.test\nmax_age: 86400\n"))
                .host("mta-sts.daemon-missing.test", tls("mta-sts.daemon-missing.test"),
                        Response.status(404, "text/plain", "gone"))
                .start();
    }

    private static DnsmasqServer.Builder records(boolean withGoodTxt) {
        DnsmasqServer.Builder records = DnsmasqServer.builder()
                .txt("_mta-sts.daemon-testing.test", "v=STSv1; id=t1")
                .txt("_mta-sts.daemon-hang.test", "v=STSv1; id=h1")
                .txt("_mta-sts.daemon-flight.test", "v=STSv1; id=f1")
                .txt("_mta-sts.daemon-missing.test", "v=STSv1; id=m1");
        return withGoodTxt ? records.txt("_mta-sts.daemon-good.test", "v=STSv1; id=g1") : records;
    }

    private static javax.net.ssl.SSLContext tls(String host) {
        return ca.issue(host).serverContext();
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

    private static DaemonConfig config(String extra) throws Exception {
        return ConfigLoader.parse("test", "host: 127.0.0.1\nport: 0\n"
                + "ca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"" + dns.hostPort() + "\"]\n  timeout: 2\n"
                + extra);
    }

    private static ResolverDaemon start(DaemonConfig config) throws IOException {
        ResolverDaemon daemon = new ResolverDaemon(config, https.port());
        daemon.start();
        return daemon;
    }

    @Test
    void answersEnforcedPolicyPerZoneOverTcp(@TempDir Path dir) throws Exception {
        try (ResolverDaemon daemon = start(config("cache: {type: sqlite, options: {filename: " + dir.resolve("c.db") + "}}\n"
                + "zones:\n  strict: {strict_testing: true}\n  report: {tlsrpt: true}\n"));
                Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix daemon-good.test"))
                    .isEqualTo("OK secure match=mx.daemon-good.test:.backup.daemon-good.test servername=hostname");
            assertThat(client.ask("postfix DAEMON-GOOD.test.")).startsWith("OK secure match=mx.daemon-good.test:");
            assertThat(client.ask("postfix daemon-testing.test")).isEqualTo("NOTFOUND ");
            assertThat(client.ask("strict daemon-testing.test"))
                    .isEqualTo("OK secure match=mx.daemon-testing.test servername=hostname");
            assertThat(client.ask("report daemon-good.test")).contains("policy_type=sts policy_domain=daemon-good.test")
                    .contains("mx_host_pattern=*.backup.daemon-good.test").contains("{ policy_string = mode: enforce }");
            assertThat(client.ask("postfix [127.0.0.1]")).isEqualTo("NOTFOUND ");
            assertThat(client.ask("postfix no-such-domain.test")).isEqualTo("NOTFOUND ");
        }
    }

    @Test
    void withoutConfiguredNameServersTheSystemResolverConfigurationIsUsed() throws Exception {
        try (SystemResolverOverride system = SystemResolverOverride.pointingAt(dns.hostPort());
                ResolverDaemon daemon = start(ConfigLoader.parse("test", "host: 127.0.0.1\nport: 0\nca_file: " + caFile
                + "\ncache: {type: internal}\n"));
                Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix daemon-good.test")).startsWith("OK secure match=mx.daemon-good.test:");
        }
    }

    @Test
    void keysThatCannotCarryAPolicyAreAnsweredNotFoundAndTheConnectionKeepsServing() throws Exception {
        try (ResolverDaemon daemon = start(config("cache: {type: internal}\nhttp: {port: 0}\nmetrics: {enabled: true}\n"));
                Client client = Client.open(daemon.socketmapAddress())) {
            List<String> keys = List.of("192.0.2.1", "[192.0.2.1]", "[192.0.2.1]:25", "[ipv6:2001:db8::1]",
                    "2001:db8::1", ".daemon-good.test", "daemon..good.test", "a".repeat(64) + ".test",
                    ("b".repeat(60) + ".").repeat(5) + "test", "bad_char.test", "");
            for (String key : keys) {
                assertThat(client.ask("postfix " + key)).as(key).isEqualTo("NOTFOUND ");
            }
            assertThat(client.ask("postfix daemon-good.test")).startsWith("OK secure match=mx.daemon-good.test:");
            // RFC 8461 §3.4: a smart host's next hop takes the smart host's policy, answered from the same cache
            assertThat(client.ask("postfix [daemon-good.test]:587")).startsWith("OK secure match=mx.daemon-good.test:");
            assertThat(client.ask("postfix daemon-good.test:2525")).startsWith("OK secure match=mx.daemon-good.test:");
            assertThat(metrics(daemon)).contains("mtasts_lookups_total{result=\"invalid_key\"} " + keys.size() + ".0")
                    .contains("mtasts_cache_misses_total 1.0");
        }
    }

    @Test
    void answersOverUnixSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("mtasts.sock");
        try (ResolverDaemon daemon = start(config("path: " + socket + "\nmode: 0660\ncache: {type: internal}\n"));
                Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix daemon-good.test")).startsWith("OK secure match=mx.daemon-good.test:");
        }
    }

    @Test
    void storedEnforcePolicySurvivesRestartAndARefreshThatFindsTheTxtRecordGone(@TempDir Path dir) throws Exception {
        String cache = "cache: {type: sqlite, options: {filename: " + dir.resolve("c.db") + "}}\n";
        try (ResolverDaemon daemon = start(config(cache)); Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix daemon-good.test")).startsWith("OK secure");
        }
        // the _mta-sts record is gone and the policy host unreachable (a DNS server that knows nothing)
        try (DnsmasqServer empty = DnsmasqServer.builder().start()) {
            DaemonConfig restarted = ConfigLoader.parse("test", "host: 127.0.0.1\nport: 0\nca_file: " + caFile + "\n"
                    + "dns:\n  nameservers: [\"" + empty.hostPort() + "\"]\n  timeout: 2\ncache_grace: 1\n"
                    + "http: {port: 0}\nmetrics: {enabled: true}\n" + cache);
            try (ResolverDaemon daemon = new ResolverDaemon(restarted, 1);
                    Client client = startAndOpen(daemon)) {
                assertThat(client.ask("postfix daemon-good.test"))
                        .isEqualTo("OK secure match=mx.daemon-good.test:.backup.daemon-good.test servername=hostname");
                // once cache_grace has passed, a hit starts a background refresh, which finds no TXT record
                while (!metrics(daemon).contains("mtasts_discovery_seconds_count{outcome=\"no_policy\"} 1")) {
                    assertThat(client.ask("postfix daemon-good.test")).startsWith("OK secure");
                    Thread.sleep(200);
                }
                // RFC 8461 §5: the unexpired policy stays in force though the record is gone
                assertThat(client.ask("postfix daemon-good.test"))
                        .isEqualTo("OK secure match=mx.daemon-good.test:.backup.daemon-good.test servername=hostname");
            }
        }
    }

    private static Client startAndOpen(ResolverDaemon daemon) throws IOException {
        daemon.start();
        return Client.open(daemon.socketmapAddress());
    }

    @Test
    void discoveryIsWarmedUpAfterListeningAndThenDiscovers() throws Exception {
        try (ResolverDaemon daemon = start(config("cache: {type: internal}\n"));
                Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(daemon.discoveryWarmUp().get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(client.ask("postfix daemon-good.test")).startsWith("OK secure match=mx.daemon-good.test:");
        }
    }

    @Test
    void failedDiscoveryWarmUpDoesNotStopAnswering() throws Exception {
        try (ResolverDaemon daemon = new ResolverDaemon(config("cache: {type: internal}\n"), https.port(), () -> {
            throw new IllegalStateException("trust material unreadable");
        }); Client client = startAndOpen(daemon)) {
            assertThat(daemon.discoveryWarmUp().get(30, TimeUnit.SECONDS)).isFalse();
            assertThat(client.ask("postfix [192.0.2.1]")).isEqualTo("NOTFOUND ");
            // fail open: the fetch fails as the warm-up did, and Postfix gets an answer
            assertThat(client.ask("postfix daemon-good.test")).isEqualTo("NOTFOUND ");
        }
    }

    @Test
    void uncachedDomainSlowerThanZoneTimeoutGetsNotFoundAndConnectionKeepsServing() throws Exception {
        try (ResolverDaemon daemon = start(config("cache: {type: internal}\ndefault_zone: {timeout: 1}\n"));
                Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("postfix daemon-hang.test")).isEqualTo("NOTFOUND ");
            assertThat(client.ask("postfix daemon-good.test")).startsWith("OK secure");
        }
    }

    @Test
    void hundredConcurrentRequestsForOneUncachedDomainMakeOneDnsLookupAndOneFetch() throws Exception {
        int before = https.requests("mta-sts.daemon-flight.test");
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try (ResolverDaemon daemon = start(config("cache: {type: internal}\n"))) {
            List<Callable<String>> asks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                asks.add(() -> {
                    try (Client client = Client.open(daemon.socketmapAddress())) {
                        return client.ask("postfix daemon-flight.test");
                    }
                });
            }
            for (Future<String> answer : pool.invokeAll(asks)) {
                assertThat(answer.get()).isEqualTo("OK secure match=mx.daemon-flight.test servername=hostname");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(https.requests("mta-sts.daemon-flight.test") - before).isEqualTo(1);
        assertThat(dns.log().split("query\\[TXT\\] _mta-sts\\.daemon-flight\\.test ", -1)).as(dns.log()).hasSize(2);
    }

    @Test
    void metricsEndpointCountsLookupsByResult() throws Exception {
        try (ResolverDaemon daemon = start(config("cache: {type: internal}\nhttp: {port: 0}\nmetrics: {enabled: true}\n"));
                Client client = Client.open(daemon.socketmapAddress())) {
            client.ask("postfix daemon-good.test");
            client.ask("postfix daemon-good.test");
            client.ask("postfix [192.0.2.1]");
            assertThat(client.ask("postfix daemon-missing.test")).isEqualTo("NOTFOUND ");
            assertThat(client.ask("postfix daemon-missing.test")).isEqualTo("NOTFOUND ");
            String body = metrics(daemon);
            assertThat(body).contains("mtasts_lookups_total{result=\"secure\"} 2.0")
                    .contains("mtasts_lookups_total{result=\"invalid_key\"} 1.0")
                    .contains("mtasts_lookups_total{result=\"no_policy\"} 2.0")
                    .contains("mtasts_cache_hits_total 1.0")
                    .contains("mtasts_cache_misses_total 2.0")
                    .contains("mtasts_cache_negative_hits_total 1.0")
                    .contains("mtasts_discovery_failures_total{cause=\"policy_fetch_error\"} 1.0")
                    .contains("mtasts_discovery_failures_total{cause=\"webpki_invalid\"} 0.0")
                    .contains("mtasts_discovery_seconds_count{outcome=\"found\"} 1")
                    .contains("mtasts_discovery_seconds_count{outcome=\"policy_fetch_error\"} 1")
                    .contains("mtasts_policy_fetch_seconds_count{outcome=\"ok\"} 1")
                    .contains("mtasts_policy_fetch_seconds_count{outcome=\"policy_fetch_error\"} 1")
                    .contains("mtasts_socketmap_connections 1.0");
        }
    }

    private static String metrics(ResolverDaemon daemon) throws Exception {
        InetSocketAddress address = daemon.httpAddress().orElseThrow();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void pagesOfTheCallerAreServedOnTheSameListenerAsMetrics() throws Exception {
        try (ResolverDaemon daemon = new ResolverDaemon(
                config("cache: {type: internal}\nhttp: {port: 0}\nmetrics: {enabled: true}\n"), https.port())) {
            daemon.start(HttpAccess.OPEN, Map.of("/page", request -> HttpEndpoint.Response.of(200, "text/plain",
                    "a page".getBytes(StandardCharsets.UTF_8))));
            InetSocketAddress address = daemon.httpAddress().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + address.getPort() + "/page")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + address.getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(page.body()).isEqualTo("a page");
            assertThat(metrics.body()).contains("mtasts_socketmap_connections");
        }
    }

    @Test
    void dashboardCredentialsGuardMetricsToo() throws Exception {
        try (ResolverDaemon daemon = new ResolverDaemon(config("cache: {type: internal}\nhttp: {port: 0}\n"
                + "metrics: {enabled: true}\n"), https.port())) {
            daemon.start(HttpAccess.of(Optional.of("s3cret"), Optional.empty(), Optional.empty()), Map.of());
            URI uri = URI.create("http://127.0.0.1:" + daemon.httpAddress().orElseThrow().getPort() + "/metrics");
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).doesNotContain("mtasts_");
            assertThat(bearer.statusCode()).isEqualTo(200);
            assertThat(bearer.body()).contains("mtasts_socketmap_connections");
        }
    }

    @Test
    void noHttpListenerWithoutMetricsOrPages() throws Exception {
        try (ResolverDaemon daemon = start(config("cache: {type: internal}\nhttp: {port: 0}\n"))) {
            assertThat(daemon.httpAddress()).isEmpty();
        }
    }

    /** A persistent socketmap connection, as a Postfix smtp process keeps one. */
    static final class Client implements AutoCloseable {
        private final SocketChannel channel;
        private final InputStream in;

        private Client(SocketChannel channel) {
            this.channel = channel;
            this.in = Channels.newInputStream(channel);
        }

        static Client open(SocketAddress address) throws IOException {
            SocketChannel channel = address instanceof InetSocketAddress
                    ? SocketChannel.open(address)
                    : SocketChannel.open(StandardProtocolFamily.UNIX);
            if (!channel.isConnected()) {
                channel.connect(address);
            }
            return new Client(channel);
        }

        String ask(String request) throws IOException {
            channel.write(java.nio.ByteBuffer.wrap(Netstring.encode(request)));
            ByteArrayOutputStream length = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != ':') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                length.write(b);
            }
            byte[] payload = in.readNBytes(Integer.parseInt(length.toString(StandardCharsets.US_ASCII)));
            if (in.read() != ',') {
                throw new IOException("missing comma");
            }
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
