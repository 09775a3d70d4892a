package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.daemon.ResolverDaemonTest.Client;
import io.github.mtasts.testing.DnssecWorld;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.TestCa;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled daemon answering a {@code dane: on} and a {@code dane: off} zone over a real socketmap connection,
 * with real DNSSEC (nsd, unbound) and real HTTPS policy hosts: RFC 8461 §2, MTA-STS does not override DANE.
 */
@Timeout(60)
class ResolverDaemonDaneTest {

    static DnssecWorld world;
    static PolicyHttpsServer https;
    static Path caFile;

    @BeforeAll
    static void start(@TempDir Path dir) {
        TestCa ca = TestCa.create("dane test CA");
        caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        world = DnssecWorld.start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.usable.signed.test", ca.issue("mta-sts.usable.signed.test").serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx-usable.signed.test\nmax_age: 86400\n"))
                .host("mta-sts.denied.signed.test", ca.issue("mta-sts.denied.signed.test").serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx-denied.signed.test\nmax_age: 86400\n"))
                .host("mta-sts.plain.test", ca.issue("mta-sts.plain.test").serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx.plain.test\nmax_age: 86400\n"))
                .start();
    }

    @AfterAll
    static void stop() {
        if (https != null) {
            https.close();
        }
        if (world != null) {
            world.close();
        }
    }

    static DaemonConfig config(String dnssec) throws Exception {
        InetSocketAddress resolver = world.resolver();
        return ConfigLoader.parse("test", "host: 127.0.0.1\nport: 0\ncache: {type: internal}\n"
                + "ca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"127.0.0.1:" + resolver.getPort() + "\"]\n  timeout: 3\n"
                + "http: {port: 0}\nmetrics: {enabled: true}\n"
                + "default_zone: {dane: off, timeout: 10}\n"
                + "zones:\n  dane: {dane: on, timeout: 10}\n  sts: {dane: off, timeout: 10}\n"
                + dnssec);
    }

    static ResolverDaemon daemon(DaemonConfig config) throws IOException {
        ResolverDaemon daemon = new ResolverDaemon(config, https.port());
        daemon.start();
        return daemon;
    }

    @Test
    void daneOnAnswersDaneLevelsWhereDaneAppliesAndOffAnswersAsBefore() throws Exception {
        answersPerZone(config(""));
    }

    @Test
    void internalValidationGivesTheSameAnswers() throws Exception {
        answersPerZone(config("dnssec: {validation: internal, trust_anchor_file: " + world.trustAnchors() + "}\n"));
    }

    private static void answersPerZone(DaemonConfig config) throws Exception {
        try (ResolverDaemon daemon = daemon(config); Client client = Client.open(daemon.socketmapAddress())) {
            // secure MX with usable TLSA and an enforced MTA-STS policy: never "secure", which would skip the TLSA keys
            assertThat(client.ask("dane usable.signed.test")).isEqualTo("OK dane-only");
            assertThat(client.ask("sts usable.signed.test"))
                    .isEqualTo("OK secure match=mx-usable.signed.test servername=hostname");
            // DANE without MTA-STS
            assertThat(client.ask("dane mixed.signed.test")).isEqualTo("OK dane");
            assertThat(client.ask("sts mixed.signed.test")).isEqualTo("NOTFOUND ");
            // bogus DNSSEC: DANE cannot be ruled out, Postfix's own DANE lookups will defer
            assertThat(client.ask("dane bogus.test")).isEqualTo("OK dane");
            assertThat(client.ask("sts bogus.test")).isEqualTo("NOTFOUND ");
            // DANE does not apply: the MTA-STS answer stands in both zones
            assertThat(client.ask("dane plain.test")).isEqualTo("OK secure match=mx.plain.test servername=hostname");
            assertThat(client.ask("dane denied.signed.test"))
                    .isEqualTo("OK secure match=mx-denied.signed.test servername=hostname");
            assertThat(client.ask("dane unusable.signed.test")).isEqualTo("NOTFOUND ");
            // an unknown map name takes the default zone, here off
            assertThat(client.ask("other usable.signed.test")).startsWith("OK secure match=");

            String metrics = metrics(daemon);
            assertThat(metrics).contains("mtasts_answers_total{kind=\"dane\"} 3.0")
                    .contains("mtasts_dnssec_lookups_total{lookup=\"mx\",status=\"indeterminate\"} 1.0")
                    .contains("mtasts_dnssec_lookups_total{lookup=\"tlsa\",status=\"secure_usable\"} 2.0");
        }
    }

    @Test
    void smartHostsAreAnsweredFromTheirOwnAddressAndTlsaAtThePortPostfixUses() throws Exception {
        try (ResolverDaemon daemon = daemon(config("")); Client client = Client.open(daemon.socketmapAddress())) {
            // usable.signed.test as a relay: usable TLSA at 587 only; its MX host's TLSA at 25 are not the relay's
            assertThat(client.ask("dane [usable.signed.test]:587")).isEqualTo("OK dane-only");
            assertThat(client.ask("dane [usable.signed.test]"))
                    .isEqualTo("OK secure match=mx-usable.signed.test servername=hostname");
            assertThat(client.ask("dane [usable.signed.test]:25"))
                    .isEqualTo("OK secure match=mx-usable.signed.test servername=hostname");
            // its MX hosts are still asked for the domain, and for host:port at that port
            assertThat(client.ask("dane usable.signed.test")).isEqualTo("OK dane-only");
            assertThat(client.ask("dane usable.signed.test:587"))
                    .isEqualTo("OK secure match=mx-usable.signed.test servername=hostname");
            // denied.signed.test the other way round: a relay with TLSA at 25, MX hosts without
            assertThat(client.ask("dane [denied.signed.test]")).isEqualTo("OK dane-only");
            assertThat(client.ask("dane denied.signed.test"))
                    .isEqualTo("OK secure match=mx-denied.signed.test servername=hostname");
            // a relay with usable TLSA and no MTA-STS policy: opportunistic DANE
            assertThat(client.ask("dane [mx-usable.signed.test]")).isEqualTo("OK dane");
            // a relay without TLSA, and one whose address lookup is insecure: as without DANE
            assertThat(client.ask("dane [mx-denied.signed.test]")).isEqualTo("NOTFOUND ");
            assertThat(client.ask("dane [plain.test]")).isEqualTo("OK secure match=mx.plain.test servername=hostname");
            // the dane: off zone is unchanged
            assertThat(client.ask("sts [usable.signed.test]:587"))
                    .isEqualTo("OK secure match=mx-usable.signed.test servername=hostname");
        }
    }

    @Test
    void aResolverOffLoopbackTurnsDaneOffEverywhere() throws Exception {
        DaemonConfig config = ConfigLoader.parse("test", "host: 127.0.0.1\nport: 0\ncache: {type: internal}\n"
                + "ca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"127.0.0.1:" + world.resolver().getPort() + "\", \"192.0.2.53\"]\n"
                + "  timeout: 3\n"
                + "zones:\n  dane: {dane: on, timeout: 10}\n");
        try (ResolverDaemon daemon = daemon(config); Client client = Client.open(daemon.socketmapAddress())) {
            assertThat(client.ask("dane usable.signed.test"))
                    .isEqualTo("OK secure match=mx-usable.signed.test servername=hostname");
        }
    }

    private static String metrics(ResolverDaemon daemon) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + daemon.httpAddress().orElseThrow().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
