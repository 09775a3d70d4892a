package io.github.mtasts.resolver.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DnsDaneDiscovery;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.DnsMxLookup;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.dns.DnssecLookup;
import io.github.mtasts.testing.DnssecWorld;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.SmtpStartTlsServer;
import io.github.mtasts.testing.SmtpStartTlsServer.Behaviour;
import io.github.mtasts.testing.TestCa;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mtasts check}'s DANE items against real DNSSEC (nsd, unbound) and real STARTTLS servers: the MX records'
 * status, each host's TLSA records, whether the served certificate matches them, and where MTA-STS and DANE disagree.
 */
@Timeout(120)
class DomainCheckerDaneTest {

    @TempDir
    static Path dir;

    static DnssecWorld world;
    static PolicyHttpsServer https;
    static SmtpStartTlsServer smtp;
    static DomainChecker checker;

    @BeforeAll
    static void start() throws Exception {
        TestCa ca = TestCa.create("dane check CA");
        Path caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        TestCa.Issued ok = ca.issue("mx-ok.signed.test");
        TestCa.Issued bad = ca.issue("mx-bad.signed.test");
        String okSpki = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(ok.certificate().getPublicKey().getEncoded()));
        String otherSpki = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(ca.issue("elsewhere.test").certificate().getPublicKey().getEncoded()));
        world = DnssecWorld.start("""
                dane-ok IN MX 10 mx-ok.signed.test.
                mx-ok IN A 127.0.2.40
                _25._tcp.mx-ok IN TLSA 3 1 1 %s
                dane-bad IN MX 10 mx-bad.signed.test.
                mx-bad IN A 127.0.2.41
                _25._tcp.mx-bad IN TLSA 3 1 1 %s
                dane-split IN MX 10 mx-ok.signed.test.
                dane-split IN MX 20 mx-denied.signed.test.
                _mta-sts.dane-split IN TXT "v=STSv1; id=split1"
                """.formatted(okSpki, otherSpki));
        https = PolicyHttpsServer.builder()
                .host("mta-sts.dane-split.signed.test", ca.issue("mta-sts.dane-split.signed.test").serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx-ok.signed.test\nmx: mx-denied.signed.test\n"
                                + "max_age: 604800\n"))
                .start();
        smtp = SmtpStartTlsServer.builder()
                .host("127.0.2.40", ok.serverContext(), Behaviour.STARTTLS)
                .host("127.0.2.41", bad.serverContext(), Behaviour.STARTTLS)
                .start();
        Duration timeout = Duration.ofSeconds(3);
        List<java.net.InetSocketAddress> resolver = List.of(world.resolver());
        checker = new DomainChecker(DnsTxtLookup.using(resolver, timeout), DnsMxLookup.using(resolver, timeout),
                new PolicyFetcher(timeout, PolicyFetcher.trustFrom(caFile), Optional.empty(), https.port()),
                new SmtpTlsProbe(SmtpTlsProbe.trustManager(Optional.of(caFile)), "ca_file", smtp.port(), timeout,
                        "checker.test", Clock.systemUTC()),
                Duration.ofSeconds(20),
                Optional.of(new DnsDaneDiscovery(DnssecLookup.trustingResolver(resolver, timeout))));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable server : new AutoCloseable[] {smtp, https, world}) {
            if (server != null) {
                server.close();
            }
        }
    }

    static List<CheckItem> dane(CheckReport report) {
        return report.items().stream().filter(i -> i.section() == CheckSection.DANE).toList();
    }

    @Test
    void matchingTlsaIsOk() {
        CheckReport report = checker.check("dane-ok.signed.test");
        List<CheckItem> dane = dane(report);
        assertThat(dane).extracting(CheckItem::status).as(dane.toString()).containsOnly(CheckStatus.OK);
        assertThat(dane).extracting(CheckItem::subject).containsExactly("dane-ok.signed.test",
                "_25._tcp.mx-ok.signed.test", "mx-ok.signed.test 127.0.2.40:" + smtp.port());
        assertThat(dane.get(0).reason()).startsWith("MX records DNSSEC-secure");
        assertThat(dane.get(2).reason()).startsWith("certificate matches TLSA 3 1 1 ");
    }

    @Test
    void aCertificateMatchingNoTlsaRecordFailsAndNamesTheDisagreement() {
        CheckReport report = checker.check("dane-bad.signed.test");
        CheckItem match = dane(report).stream().filter(i -> i.subject().startsWith("mx-bad.signed.test "))
                .findFirst().orElseThrow();
        assertThat(match.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(match.reason()).contains("matches none of the usable TLSA records")
                .contains("MTA-STS and DANE disagree, MTA-STS senders accept this host and DANE senders refuse it");
        assertThat(report.verdict().safeToEnforce()).isFalse();
    }

    @Test
    void enforcedPolicyWithAHostWithoutTlsaIsAWarning() {
        CheckReport report = checker.check("dane-split.signed.test");
        assertThat(dane(report)).anySatisfy(item -> {
            assertThat(item.status()).isEqualTo(CheckStatus.WARN);
            assertThat(item.subject()).isEqualTo("mx-denied.signed.test");
            assertThat(item.reason()).contains("MTA-STS and DANE disagree").contains("dane-only");
        });
        assertThat(dane(report)).anySatisfy(item -> {
            assertThat(item.subject()).isEqualTo("_25._tcp.mx-denied.signed.test");
            assertThat(item.reason()).startsWith("no TLSA records (proven by DNSSEC)");
        });
    }

    @Test
    void unsignedAndBogusDomains() {
        assertThat(dane(checker.check("plain.test"))).first().satisfies(item -> {
            assertThat(item.status()).isEqualTo(CheckStatus.OK);
            assertThat(item.reason()).contains("not DNSSEC-signed: DANE does not apply");
        });
        assertThat(dane(checker.check("bogus.test"))).first().satisfies(item -> {
            assertThat(item.status()).isEqualTo(CheckStatus.FAIL);
            assertThat(item.reason()).contains("cannot be determined").contains("DANE senders defer mail");
        });
    }
}
