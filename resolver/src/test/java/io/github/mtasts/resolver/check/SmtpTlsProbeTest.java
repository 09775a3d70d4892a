package io.github.mtasts.resolver.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.testing.SmtpStartTlsServer;
import io.github.mtasts.testing.SmtpStartTlsServer.Behaviour;
import io.github.mtasts.testing.TestCa;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmtpTlsProbeTest {

    @TempDir
    static Path dir;

    private static TestCa ca;
    private static Path caFile;
    private static SmtpStartTlsServer smtp;

    @BeforeAll
    static void start() {
        ca = TestCa.create("probe CA");
        caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        smtp = SmtpStartTlsServer.builder()
                .host("127.0.3.1", ca.issue("*.wild.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.3.2", ca.issue("other.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.3.3", ca.issueExpired("mx.expired.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.3.4", ca.issue("mx.closed.test").serverContext(), Behaviour.REJECT_GREETING)
                .host("127.0.3.5", ca.issue("mx.busy.test").serverContext(), Behaviour.REFUSE_STARTTLS)
                .host("127.0.3.6", ca.issue("mx.plain.test").serverContext(), Behaviour.PLAINTEXT_AFTER_STARTTLS)
                .start();
    }

    @AfterAll
    static void stop() {
        smtp.close();
    }

    private static SmtpTlsProbe probe(Optional<Path> trust, String trustName, Clock clock) {
        return new SmtpTlsProbe(SmtpTlsProbe.trustManager(trust), trustName, smtp.port(), Duration.ofSeconds(3), "probe.test", clock);
    }

    private static List<CheckItem> run(SmtpTlsProbe probe, String mx, String address) throws Exception {
        return probe.probe(mx, InetAddress.getByName(address));
    }

    @Test
    void wildcardSanCoversOneLabelAndSniIsTheMxName() throws Exception {
        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", Clock.systemUTC()), "mx1.wild.test", "127.0.3.1");

        assertThat(items).allMatch(i -> i.status() == CheckStatus.OK && i.section() == CheckSection.SMTP);
        assertThat(items).extracting(CheckItem::reason).contains("mx1.wild.test is in the subjectAltName (*.wild.test)");
        assertThat(smtp.serverNames()).contains("mx1.wild.test");
    }

    @Test
    void wildcardDoesNotCoverTwoLabels() throws Exception {
        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", Clock.systemUTC()), "a.mx1.wild.test", "127.0.3.1");

        assertThat(items).filteredOn(i -> i.status() == CheckStatus.FAIL).singleElement()
                .extracting(CheckItem::reason).asString().startsWith("certificate is not for a.mx1.wild.test: subjectAltName [*.wild.test]");
    }

    @Test
    void certificateForAnotherNameFails() throws Exception {
        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", Clock.systemUTC()), "mx.named.test", "127.0.3.2");

        assertThat(items).filteredOn(i -> i.status() == CheckStatus.FAIL).extracting(CheckItem::reason)
                .containsExactly("certificate is not for mx.named.test: subjectAltName [other.test], CN other.test (RFC 8461 §4.1)");
    }

    @Test
    void expiredCertificateFailsTheChainAndTheExpiry() throws Exception {
        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", Clock.systemUTC()), "mx.expired.test", "127.0.3.3");

        assertThat(items).filteredOn(i -> i.status() == CheckStatus.FAIL).extracting(CheckItem::reason)
                .anyMatch(r -> r.startsWith("certificate chain does not validate against ca_file"))
                .anyMatch(r -> r.startsWith("certificate expired on "));
    }

    @Test
    void expiryIsCountedFromTheClock() throws Exception {
        Clock late = Clock.fixed(Instant.now().plus(Duration.ofDays(360)), ZoneOffset.UTC);

        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", late), "mx1.wild.test", "127.0.3.1");

        assertThat(items).filteredOn(i -> i.status() == CheckStatus.WARN).singleElement()
                .extracting(CheckItem::reason).asString().startsWith("certificate expires in 4 days");
    }

    @Test
    void jdkTrustStoreDoesNotTrustTheTestCa() throws Exception {
        List<CheckItem> items = run(probe(Optional.empty(), "the JDK trust store", Clock.systemUTC()), "mx1.wild.test", "127.0.3.1");

        assertThat(items).filteredOn(i -> i.status() == CheckStatus.FAIL).extracting(CheckItem::reason)
                .singleElement().asString().startsWith("certificate chain does not validate against the JDK trust store");
    }

    @Test
    void caFileWithoutCertificatesIsRejectedNamingTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SmtpTlsProbe.trustManager(Optional.of(empty)))
                .hasMessage("ca_file " + empty + ": no PEM certificate found");
    }

    @Test
    void subjectNamesIpv6AddressesInTheirShortFormInBrackets() throws Exception {
        SmtpTlsProbe probe = probe(Optional.empty(), "the JDK trust store", Clock.systemUTC());

        assertThat(probe.subject("mx.example", InetAddress.getByName("::1"))).isEqualTo("mx.example [::1]:" + smtp.port());
        assertThat(probe.subject("mx.example", InetAddress.getByName("192.0.2.1"))).isEqualTo("mx.example 192.0.2.1:" + smtp.port());
    }

    @Test
    void ipv6CompressionTakesTheLongestRunOfZeroGroupsAndOnlyRunsOfTwoOrMore() throws Exception {
        assertThat(SmtpTlsProbe.compressed((Inet6Address) InetAddress.getByName("2001:db8:0:0:1:0:0:0"))).isEqualTo("2001:db8:0:0:1::");
        assertThat(SmtpTlsProbe.compressed((Inet6Address) InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(SmtpTlsProbe.compressed((Inet6Address) InetAddress.getByName("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(SmtpTlsProbe.compressed((Inet6Address) InetAddress.getByName("::"))).isEqualTo("::");
    }

    @Test
    void greetingOtherThan220FailsAndEndsTheSession() throws Exception {
        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", Clock.systemUTC()), "mx.closed.test", "127.0.3.4");

        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.status()).isEqualTo(CheckStatus.FAIL);
            assertThat(i.reason()).isEqualTo("greeting is not 220: 554 5.3.2 mx.test no SMTP service here");
        });
    }

    @Test
    void refusedStartTlsFailsWithTheServersReply() throws Exception {
        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", Clock.systemUTC()), "mx.busy.test", "127.0.3.5");

        assertThat(items).extracting(CheckItem::status).containsExactly(CheckStatus.OK, CheckStatus.OK, CheckStatus.FAIL);
        assertThat(items.get(2).reason()).isEqualTo("STARTTLS refused: 454 4.7.0 TLS not available due to temporary reason");
    }

    @Test
    void handshakeThatCannotCompleteFails() throws Exception {
        List<CheckItem> items = run(probe(Optional.of(caFile), "ca_file", Clock.systemUTC()), "mx.plain.test", "127.0.3.6");

        assertThat(items).extracting(CheckItem::status).containsExactly(CheckStatus.OK, CheckStatus.OK, CheckStatus.FAIL);
        assertThat(items.get(2).reason()).startsWith("TLS handshake failed: ");
    }
}
