package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.it.MtastsDaemon.Zone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 16, item 2: every MTA-STS scenario of the test zone through Postfix 3.11.6 and 3.10.13 built with TLSRPT,
 * whose socketmap answers may carry the TLSRPT attributes ({@code tlsrpt: true}). Each configuration gets one
 * fresh sender that sends to every scenario's domain at once (distinct destinations, so no back-off mixes
 * them); each message's first attempt must end as expected, and the sender must not have complained about any
 * answer of ours (a malformed one defers with {@code 4.7.5 client TLS configuration problem}).
 *
 * <p>The matrix covers every zone setting without multiplying them all: on 3.11.6 every scenario with
 * {@code tlsrpt} on and off, each with {@code smtp_tls_enforce_sts_mx_patterns} yes and no, plus
 * {@code strict_testing} and {@code require_sni: false} with TLSRPT; on 3.10.13 TLSRPT with the MX pattern check
 * on and off, and one zone with every other setting flipped.
 */
@ExtendWith(MailWorldExtension.class)
class TlsrptPostfixDeliveryTest {

    static final Zone RPT = new Zone("rpt", false, true, true);
    static final Zone PLAIN = new Zone("plain", false, true, false);
    static final Zone RPT_STRICT = new Zone("rpt-strict", true, true, true);
    static final Zone RPT_NO_SNI = new Zone("rpt-nosni", false, false, true);
    static final Zone PLAIN_STRICT_NO_SNI = new Zone("plain-strict-nosni", true, false, false);

    /**
     * What Postfix logs when a socketmap answer or the table itself is wrong: the deferral (dsn 4.7.5, which an
     * unverified certificate shares, hence the reason text) and its warning lines.
     */
    static final Pattern COMPLAINT = Pattern.compile(
            "TLS configuration problem|warning: .*(?i:policy|socketmap|table|attribute|malformed|invalid)");

    private static final List<String> SCENARIOS = List.of("good.test", "wildcard.test", "selfsigned.test",
            "expired.test", "wrongname.test", "untrusted.test", "nomatch.test", "nostarttls.test", "testing.test",
            "nopolicy.test", "fetchfail.test", "nonemode.test");

    private static MailWorld world;
    private static MtastsDaemon daemon;

    /** The outcome of a scenario's first delivery attempt: its status, reason (deferred only) and a log line. */
    record Expected(boolean sent, String reason, String logged) {

        static Expected sent(String logged) {
            return new Expected(true, null, logged);
        }

        static Expected deferred(String reason, String logged) {
            return new Expected(false, reason, logged);
        }
    }

    @BeforeAll
    static void startDaemon(MailWorld mailWorld) {
        world = mailWorld;
        daemon = MtastsDaemon.start(world, world.newDirectory("daemon"), MailWorld.SOCKETMAP_PORT,
                List.of(RPT, PLAIN, RPT_STRICT, RPT_NO_SNI, PLAIN_STRICT_NO_SNI));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("3.11.6", RPT, true),
                Arguments.of("3.11.6", RPT, false),
                Arguments.of("3.11.6", PLAIN, true),
                Arguments.of("3.11.6", PLAIN, false),
                Arguments.of("3.11.6", RPT_STRICT, true),
                Arguments.of("3.11.6", RPT_NO_SNI, true),
                Arguments.of("3.10.13", RPT, true),
                Arguments.of("3.10.13", RPT, false),
                Arguments.of("3.10.13", PLAIN_STRICT_NO_SNI, true));
    }

    @ParameterizedTest(name = "Postfix {0}, zone {1}, smtp_tls_enforce_sts_mx_patterns {2}")
    @MethodSource("configurations")
    void everyScenarioEndsAsItsPolicySaysAndPostfixAcceptsEveryAnswer(String version, Zone zone,
            boolean enforceMxPatterns) {
        PostfixBuild build = PostfixBuild.withTlsrpt(version);
        Map<String, String> recipients = new LinkedHashMap<>();
        SoftAssertions softly = new SoftAssertions();
        try (SendingPostfix sender = world.newSender(build, daemon.table(zone.name()),
                Map.of("smtp_tls_enforce_sts_mx_patterns", enforceMxPatterns ? "yes" : "no"))) {
            for (String domain : SCENARIOS) {
                String recipient = SendingPostfix.uniqueRecipient(domain);
                recipients.put(domain, recipient);
                sender.send(recipient);
            }
            recipients.forEach((domain, recipient) -> {
                Delivery delivery = sender.awaitFirstAttempt(recipient);
                Expected expected = expected(domain, zone, enforceMxPatterns);
                softly.assertThat(delivery.sent()).as(domain + ": sent? " + delivery).isEqualTo(expected.sent());
                if (!expected.sent()) {
                    softly.assertThat(delivery.reason()).as(domain + ": " + delivery).isEqualTo(expected.reason());
                }
                softly.assertThat(delivery.logged(expected.logged())).as(domain + ": logged " + expected.logged()
                        + " in " + delivery).isTrue();
            });
            softly.assertThat(sender.log().stream().filter(line -> COMPLAINT.matcher(line).find()))
                    .as("the sender's complaints about the policy table").isEmpty();
            softly.assertThat(sender.log()).as("the sender's log: the built Postfix runs")
                    .anyMatch(line -> line.contains("daemon started -- version " + version + ","));
        }
        softly.assertAll();
        recipients.forEach((domain, recipient) -> {
            if (expected(domain, zone, enforceMxPatterns).sent()) {
                world.awaitInMailbox(recipient);
            } else {
                assertThat(world.inMailbox(recipient)).as(domain).isFalse();
            }
        });
    }

    /**
     * The other side of the complaint check: an answer with a malformed TLSRPT attribute, from a static table
     * rather than from us, defers the mail and is caught by {@link #COMPLAINT}.
     */
    @Test
    void aMalformedTlsrptAttributeDefersTheMailAndIsCaughtAsAComplaint() throws IOException {
        Path table = world.newDirectory("malformed-policy");
        Files.createDirectories(table);
        Files.writeString(table.resolve("policies"), "good.test secure match=mx.good.test policy_type=bogus"
                + " policy_domain=good.test\n");
        try (SendingPostfix sender = world.newSender(PostfixBuild.withTlsrpt("3.11.6"),
                "texthash:" + table.resolve("policies"), Map.of())) {
            Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("good.test"));

            assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
            assertThat(delivery.reason()).as(delivery.toString()).contains("client TLS configuration problem");
            assertThat(sender.log()).as("complaints").filteredOn(line -> COMPLAINT.matcher(line).find())
                    .anyMatch(line -> line.contains("warning:") && line.contains("policy_type"));
        }
    }

    /** What the first attempt to {@code domain}'s MX must do with this zone and MX pattern setting. */
    static Expected expected(String domain, Zone zone, boolean enforceMxPatterns) {
        TestDomain d = TestZone.domain(domain);
        String at = d.mxHost() + "[" + d.mxAddress() + "]:25";
        String unverified = "Server certificate not verified";
        return switch (domain) {
            case "good.test", "wildcard.test" -> Expected.sent("Verified TLS connection established to " + at);
            case "selfsigned.test" -> Expected.deferred(unverified,
                    "certificate verification failed for " + at + ": self-signed certificate");
            case "expired.test" -> Expected.deferred(unverified,
                    "certificate verification failed for " + at + ": certificate has expired");
            case "wrongname.test" -> Expected.deferred(unverified, at + ": num=62:hostname mismatch");
            case "untrusted.test" -> Expected.deferred(unverified, "certificate verification failed for " + at);
            // Postfix ≥ 3.10.5 checks the MX against the policy's mx_host_pattern attributes before connecting;
            // without them (tlsrpt off) or with the check off, our match= list refuses the certificate instead
            case "nomatch.test" -> zone.tlsrpt() && enforceMxPatterns
                    ? Expected.deferred("server unavailable or unable to receive mail",
                            "MX name '" + d.mxHost() + "' does not match STS MX pattern for '" + domain + "'")
                    : Expected.deferred(unverified, at + ": num=62:hostname mismatch");
            case "nostarttls.test" -> Expected.deferred(
                    "TLS is required, but was not offered by host " + d.mxHost() + "[" + d.mxAddress() + "]",
                    "TLS is required, but was not offered");
            case "testing.test" -> zone.strictTesting()
                    ? Expected.deferred(unverified, "certificate verification failed for " + at)
                    : Expected.sent("Untrusted TLS connection established to " + at);
            case "nopolicy.test", "fetchfail.test", "nonemode.test" ->
                    Expected.sent("Untrusted TLS connection established to " + at);
            default -> throw new IllegalArgumentException("no expectation for " + domain);
        };
    }
}
