package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 15 with real mail: two sending Postfix instances whose {@code smtp_tls_policy_maps} is our daemon, one doing
 * DNSSEC through the world's validating resolver (zone {@code dane}, {@code dane: on}), one without DNSSEC support
 * (zone {@code nodane}, {@code dane: off}), each sending one message to every DANE domain. The DANE sender must get
 * RFC 7672's outcome wherever DANE applies, and never less than MTA-STS's; the other sender MTA-STS's outcome, as
 * before. The daemon's answer to each is asserted with {@code postmap -q} too.
 */
@ExtendWith(MailWorldExtension.class)
class DaneDeliveryTest {

    private static MailWorld world;
    private static MtastsDaemon daemon;
    private static SendingPostfix daneSender;
    private static SendingPostfix plainSender;
    private static final Map<String, String> DANE_RECIPIENTS = new HashMap<>();
    private static final Map<String, String> PLAIN_RECIPIENTS = new HashMap<>();

    @BeforeAll
    static void sendToEveryDaneDomainFromBothSenders(MailWorld mailWorld) {
        world = mailWorld;
        daemon = MtastsDaemon.startDane(world, world.newDirectory("daemon"));
        daneSender = world.newDaneSender(daemon.table("dane"), Map.of());
        plainSender = world.newSender(daemon.table("nodane"));
        for (DaneDomain domain : TestZone.DANE_DOMAINS) {
            String daneRecipient = SendingPostfix.uniqueRecipient(domain.name());
            DANE_RECIPIENTS.put(domain.name(), daneRecipient);
            daneSender.send(daneRecipient);
            String plainRecipient = SendingPostfix.uniqueRecipient(domain.name());
            PLAIN_RECIPIENTS.put(domain.name(), plainRecipient);
            plainSender.send(plainRecipient);
        }
    }

    @AfterAll
    static void stopAll() {
        for (AutoCloseable closeable : new AutoCloseable[] {daneSender, plainSender, daemon}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}: DANE sender {1} ({2}), other sender {3}")
    @CsvSource(delimiter = '|', textBlock = """
            ee.dane.test         | sent     | dane-only | sent     | secure match=mx.ee.dane.test servername=hostname
            mismatch.dane.test   | deferred | dane-only | sent     | secure match=mx.mismatch.dane.test servername=hostname
            selfsigned.dane.test | sent     | dane      | sent     | NOTFOUND
            sts.dane.test        | sent     | secure match=mx.sts.dane.test servername=hostname | sent | secure match=mx.sts.dane.test servername=hostname
            ta.dane.test         | sent     | dane-only | deferred | secure match=mx.ta.dane.test servername=hostname
            expired.dane.test    | sent     | dane-only | deferred | secure match=mx.expired.dane.test servername=hostname
            sts.unsigned.test    | sent     | secure match=mx.sts.unsigned.test servername=hostname | sent | secure match=mx.sts.unsigned.test servername=hostname
            tlsa.bogus.test      | deferred | dane-only | sent     | secure match=mx.tlsa.bogus.test servername=hostname
            nostarttls.dane.test | deferred | dane      | sent     | NOTFOUND
            alias.dane.test      | deferred | dane-only | sent     | secure match=mx.alias.dane.test servername=hostname
            """)
    void eachSenderGetsTheOutcomeItsZoneRequires(String domain, String daneStatus, String daneReply,
            String plainStatus, String plainReply) {
        assertReply("dane", domain, daneReply);
        assertReply("nodane", domain, plainReply);

        Delivery dane = daneSender.awaitFirstAttempt(DANE_RECIPIENTS.get(domain));
        Delivery plain = plainSender.awaitFirstAttempt(PLAIN_RECIPIENTS.get(domain));

        assertThat(dane.status()).as("DANE sender: " + dane).isEqualTo(daneStatus);
        assertThat(plain.status()).as("sender without DNSSEC: " + plain).isEqualTo(plainStatus);
        if (dane.sent() && daneReply.startsWith("dane")) {
            // Postfix's own DANE check passed: it logs a verified (not merely trusted) connection
            assertThat(dane.logged("Verified TLS connection established to " + TestZone.domain(domain).mxHost()))
                    .as(dane.toString()).isTrue();
        }
        if (dane.sent()) {
            world.awaitInMailbox(dane.recipient());
        }
        if (plain.sent()) {
            world.awaitInMailbox(plain.recipient());
        }
    }

    private static void assertReply(String zone, String domain, String expected) {
        Commands.Result result = world.postmap(domain, daemon.table(zone));
        assertThat(result.stderr()).as(result.describe()).isEmpty();
        if (expected.equals("NOTFOUND")) {
            assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        } else {
            assertThat(result.stdout()).as(result.describe()).isEqualTo(expected + "\n");
        }
    }
}
