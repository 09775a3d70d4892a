package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16, item 1: mail relayed through a smart host ({@code relayhost = [host]:25}) is looked up by Postfix
 * under the key {@code [host]:25}, which our daemon answers with the policy of {@code host} (RFC 8461 §3.4).
 * The relay's certificate must then match that policy's MX patterns: good.test's host presents a certificate for
 * mx.good.test, its policy's MX; nomatch.test's presents a valid one for mx.nomatch.test, which its policy does not
 * list. The recipients are at nopolicy.test, so only the relay's policy can refuse them. Debian's 3.7 gets the zone
 * without TLSRPT attributes (it rejects them); 3.11.6 gets them, as a TLSRPT-capable deployment would.
 */
@ExtendWith(MailWorldExtension.class)
class SmartHostRelayTest {

    private static MailWorld world;
    private static MtastsDaemon daemon;

    @BeforeAll
    static void startDaemon(MailWorld mailWorld) {
        world = mailWorld;
        daemon = MtastsDaemon.start(world, world.newDirectory("daemon"), MailWorld.SOCKETMAP_PORT,
                List.of(TlsrptPostfixDeliveryTest.RPT));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static SendingPostfix sender(String version, String relayhost) {
        Map<String, String> relay = Map.of("relayhost", relayhost);
        return version.equals("3.7")
                ? world.newSender(PostfixBuild.DEBIAN, daemon.table("postfix"), relay)
                : world.newSender(PostfixBuild.withTlsrpt(version), daemon.table(TlsrptPostfixDeliveryTest.RPT.name()),
                        relay);
    }

    /**
     * {@code [host]} connects to the host itself; {@code host:port} looks up its MX hosts first, so Postfix 3.11
     * checks mx.good.test against the policy's {@code mx_host_pattern}s as for mail to good.test.
     */
    @ParameterizedTest(name = "Postfix {0} through {1}")
    @CsvSource({"3.7, [good.test]:25, good.test", "3.7, [good.test], good.test", "3.7, good.test:25, mx.good.test",
            "3.11.6, [good.test]:25, good.test", "3.11.6, [good.test], good.test",
            "3.11.6, good.test:25, mx.good.test"})
    void relayWhoseCertificateMatchesItsPolicyGetsTheMailOverVerifiedTls(String version, String relayhost,
            String relayName) {
        try (SendingPostfix sender = sender(version, relayhost)) {
            Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("nopolicy.test"));

            String relay = relayName + "[127.0.1.1]:25";
            assertThat(delivery.sent()).as(delivery.toString()).isTrue();
            assertThat(delivery.relay()).isEqualTo(relay);
            assertThat(delivery.logged("Verified TLS connection established to " + relay)).as(delivery.toString())
                    .isTrue();
            assertThat(sender.log()).noneMatch(line -> TlsrptPostfixDeliveryTest.COMPLAINT.matcher(line).find());
            world.awaitInMailbox(delivery.recipient());
        }
    }

    /**
     * Without {@code mx_host_pattern} in the answer for {@code [good.test]:25}, Postfix 3.11 still reports the
     * session under good.test's STS policy.
     */
    @Test
    void relayedSessionIsReportedUnderThePolicyOfTheRelaysHost() throws JsonProcessingException {
        List<String> datagrams;
        try (TlsrptDatagramReceiver receiver = TlsrptDatagramReceiver.bind(
                world.newDirectory("tlsrpt-socket").resolve("tlsrpt.sock"))) {
            try (SendingPostfix sender = world.newSender(PostfixBuild.withTlsrpt("3.11.6"),
                    daemon.table(TlsrptPostfixDeliveryTest.RPT.name()), Map.of("relayhost", "[good.test]:25",
                            "smtp_tlsrpt_enable", "yes", "smtp_tlsrpt_socket_name", receiver.socket().toString()))) {
                Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("nopolicy.test"));
                assertThat(delivery.sent()).as(delivery.toString()).isTrue();
                Waits.until("a TLSRPT datagram", Waits.GENEROUS, () -> !receiver.datagrams().isEmpty());
            }
            datagrams = receiver.datagrams();
        }

        assertThat(datagrams).hasSize(1);
        JsonNode datagram = new ObjectMapper().readTree(datagrams.get(0));
        JsonNode policy = datagram.path("policies").path(0);
        assertThat(datagram.path("d").asText()).as(datagrams.get(0)).isEqualTo("good.test");
        assertThat(policy.path("policy-type").asInt()).as(datagrams.get(0)).isEqualTo(2);
        assertThat(policy.path("policy-domain").asText()).as(datagrams.get(0)).isEqualTo("good.test");
        assertThat(policy.path("policy-string").toString()).as(datagrams.get(0)).contains("mx: mx.good.test");
        assertThat(policy.has("mx-host")).as(datagrams.get(0)).isFalse();
        assertThat(policy.path("f").asInt()).as(datagrams.get(0)).isZero();
    }

    @ParameterizedTest(name = "Postfix {0} through {1}")
    @CsvSource({"3.7, [nomatch.test]:25", "3.11.6, [nomatch.test]:25"})
    void relayWhoseValidCertificateIsOutsideItsPolicyIsRefused(String version, String relayhost) {
        try (SendingPostfix sender = sender(version, relayhost)) {
            Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("nopolicy.test"));

            assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
            assertThat(delivery.reason()).isEqualTo("Server certificate not verified");
            assertThat(delivery.logged("nomatch.test[127.0.1.6]:25: num=62:hostname mismatch"))
                    .as(delivery.toString()).isTrue();
            assertThat(sender.log()).noneMatch(line -> TlsrptPostfixDeliveryTest.COMPLAINT.matcher(line).find());
            assertThat(world.inMailbox(delivery.recipient())).isFalse();
        }
    }
}
