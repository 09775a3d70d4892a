package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 4, scenario 9: with our daemon down, Postfix cannot look up the TLS policy and defers the mail
 * ("client TLS configuration problem") instead of sending it without the policy; nothing is lost: once the
 * daemon is back (systemd restarts it), the next queue run delivers it.
 */
@ExtendWith(MailWorldExtension.class)
class DaemonStoppedTest {

    @Test
    void postfixDefersWhileTheDaemonIsDownAndDeliversOnceItIsBack(MailWorld world) {
        MtastsDaemon daemon = MtastsDaemon.start(world, world.newDirectory("daemon"));
        daemon.stop();
        try (SendingPostfix sender = world.newSender(daemon.table("postfix"))) {
            Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("good.test"));

            assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
            assertThat(delivery.reason()).isEqualTo("client TLS configuration problem");
            assertThat(delivery.relay()).isEqualTo("none");
            assertThat(delivery.logged("smtp_tls_policy_maps, next-hop destination \"good.test\": policy table lookup error"))
                    .as(delivery.toString()).isTrue();
            assertThat(world.inMailbox(delivery.recipient())).isFalse();

            daemon.restart();
            sender.flushQueue();
            Waits.until("delivery to " + delivery.recipient() + " after the daemon restarted", Waits.GENEROUS,
                    () -> sender.logShowsSent(delivery.recipient()));
            world.awaitInMailbox(delivery.recipient());
        } finally {
            daemon.close();
        }
    }
}
