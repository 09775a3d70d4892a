package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 4, scenarios 1–6: real mail from a sending Postfix whose {@code smtp_tls_policy_maps} is our daemon,
 * to MX hosts of every kind; asserts on the sender's log and the receiver's Maildir.
 */
@ExtendWith(MailWorldExtension.class)
class DaemonDeliveryTest {

    private static MailWorld world;
    private static MtastsDaemon daemon;

    @BeforeAll
    static void startDaemon(MailWorld mailWorld) {
        world = mailWorld;
        daemon = MtastsDaemon.start(world, world.newDirectory("daemon"));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static Delivery send(String zone, String domain) {
        try (SendingPostfix sender = world.newSender(daemon.table(zone))) {
            return sender.sendAndAwait(SendingPostfix.uniqueRecipient(domain));
        }
    }

    @Test
    void enforcedPolicyWithTrustedMxDeliversOverVerifiedTls() {
        Delivery delivery = send("postfix", "good.test");

        assertThat(delivery.sent()).as(delivery.toString()).isTrue();
        assertThat(delivery.logged("Verified TLS connection established to mx.good.test[127.0.1.1]:25"))
                .as(delivery.toString()).isTrue();
        world.awaitInMailbox(delivery.recipient());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            selfsigned.test | certificate verification failed for mx.selfsigned.test[127.0.1.2]:25: self-signed certificate
            expired.test    | server certificate verification failed for mx.expired.test[127.0.1.3]:25: certificate has expired
            wrongname.test  | server certificate verification failed for mx.wrongname.test[127.0.1.4]:25: num=62:hostname mismatch
            untrusted.test  | certificate verification failed for mx.untrusted.test[127.0.1.5]:25
            """)
    void enforcedPolicyWithUnverifiableMxCertificateDefersTheMail(String domain, String verificationFailure) {
        Delivery delivery = send("postfix", domain);

        assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
        assertThat(delivery.reason()).isEqualTo("Server certificate not verified");
        assertThat(delivery.logged(verificationFailure)).as(delivery.toString()).isTrue();
        assertThat(world.inMailbox(delivery.recipient())).isFalse();
    }

    @Test
    void enforcedPolicyNotListingTheMxDefersTheMailAlthoughItsCertificateIsValid() {
        Delivery delivery = send("postfix", "nomatch.test");

        assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
        assertThat(delivery.reason()).isEqualTo("Server certificate not verified");
        assertThat(delivery.logged("mx.nomatch.test[127.0.1.6]:25: num=62:hostname mismatch")).as(delivery.toString())
                .isTrue();
        assertThat(world.inMailbox(delivery.recipient())).isFalse();
    }

    @Test
    void enforcedPolicyDefersMailToMxWithoutStarttls() {
        Delivery delivery = send("postfix", "nostarttls.test");

        assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
        assertThat(delivery.reason())
                .isEqualTo("TLS is required, but was not offered by host mx.nostarttls.test[127.0.1.7]");
        assertThat(world.inMailbox(delivery.recipient())).isFalse();
    }

    @Test
    void wildcardPolicyCoversTheMxOneLabelBelowAndDeliversOverVerifiedTls() {
        Delivery delivery = send("postfix", "wildcard.test");

        assertThat(delivery.sent()).as(delivery.toString()).isTrue();
        assertThat(delivery.logged("Verified TLS connection established to mx1.wildcard.test[127.0.1.12]:25"))
                .as(delivery.toString()).isTrue();
        world.awaitInMailbox(delivery.recipient());
    }

    @Test
    void testingPolicyDeliversDespiteAnUnverifiableMx() {
        Delivery delivery = send("postfix", "testing.test");

        assertThat(delivery.sent()).as(delivery.toString()).isTrue();
        assertThat(delivery.logged("Untrusted TLS connection established to mx.testing.test[127.0.1.8]:25"))
                .as(delivery.toString()).isTrue();
        world.awaitInMailbox(delivery.recipient());
    }

    @Test
    void testingPolicyIsEnforcedInAZoneWithStrictTesting() {
        Delivery delivery = send("strict", "testing.test");

        assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
        assertThat(delivery.reason()).isEqualTo("Server certificate not verified");
        assertThat(world.inMailbox(delivery.recipient())).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"nopolicy.test, 127.0.1.9", "fetchfail.test, 127.0.1.10", "nonemode.test, 127.0.1.13"})
    void withoutAUsablePolicyMailGoesOutOpportunistically(String domain, String mxAddress) {
        Delivery delivery = send("postfix", domain);

        assertThat(delivery.sent()).as(delivery.toString()).isTrue();
        assertThat(delivery.logged("Untrusted TLS connection established to mx." + domain + "[" + mxAddress + "]:25"))
                .as(delivery.toString()).isTrue();
        world.awaitInMailbox(delivery.recipient());
    }
}
