package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DANE for a smart host with real mail: a DNSSEC-capable Postfix relays through {@code relayhost = [host]}, where
 * host is an MX host of the DANE zone with its own secure address and TLSA record at port 25 (or none). The daemon
 * answers the key {@code [host]} from that relay's DANE state, and Postfix, doing no MX lookup, checks the relay's
 * certificate against the same TLSA records. The recipients are at nopolicy.test, so only the relay's own records
 * decide. The sender's default level is {@code may}: without our {@code dane} answer a relay whose TLSA record
 * names another key would get the mail over unauthenticated TLS.
 */
@ExtendWith(MailWorldExtension.class)
class DaneSmartHostTest {

    private static MailWorld world;
    private static MtastsDaemon daemon;

    @BeforeAll
    static void startDaemon(MailWorld mailWorld) {
        world = mailWorld;
        daemon = MtastsDaemon.startDane(world, world.newDirectory("daemon"));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @ParameterizedTest(name = "relay [{0}]: {1}, {2}")
    @CsvSource(delimiter = '|', textBlock = """
            mx.ee.dane.test         | dane     | sent
            mx.mismatch.dane.test   | dane     | deferred
            mx.sts.dane.test        | NOTFOUND | sent
            mx.sts.unsigned.test    | NOTFOUND | sent
            """)
    void relayIsAnsweredAndCheckedByItsOwnTlsaRecords(String relay, String reply, String status) {
        Commands.Result answer = world.postmap("[" + relay + "]", daemon.table("dane"));
        assertThat(answer.stderr()).as(answer.describe()).isEmpty();
        if (reply.equals("NOTFOUND")) {
            assertThat(answer.exitCode()).as(answer.describe()).isEqualTo(1);
        } else {
            assertThat(answer.stdout()).as(answer.describe()).isEqualTo(reply + "\n");
        }

        try (SendingPostfix sender = world.newDaneSender(daemon.table("dane"),
                Map.of("relayhost", "[" + relay + "]"))) {
            Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("nopolicy.test"));

            assertThat(delivery.status()).as(delivery.toString()).isEqualTo(status);
            if (reply.equals("dane") && delivery.sent()) {
                assertThat(delivery.logged("Verified TLS connection established to " + relay))
                        .as(delivery.toString()).isTrue();
            }
            if (delivery.deferred()) {
                // Postfix's own check of the relay's TLSA records, not a WebPKI failure
                assertThat(delivery.logged("no matching DANE TLSA records")).as(delivery.toString()).isTrue();
                assertThat(world.inMailbox(delivery.recipient())).isFalse();
            }
            if (delivery.sent()) {
                world.awaitInMailbox(delivery.recipient());
            }
        }
    }
}
