package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 4, scenario 7 (RFC 8461 §5): once a domain's enforced policy is cached in the sqlite store, an attacker
 * who strips the {@code _mta-sts} record and blocks the policy host cannot downgrade delivery, not even across
 * a daemon restart. downgrade.test's MX has a self-signed certificate, so "still enforced" shows as deferral.
 */
@ExtendWith(MailWorldExtension.class)
class DaemonDowngradeResistanceTest {

    private static final String DOMAIN = "downgrade.test";
    private static final String SECURE = "secure match=mx.downgrade.test servername=hostname\n";

    @Test
    void cachedEnforcedPolicySurvivesWithdrawalOfRecordAndPolicyHostAcrossRestart(MailWorld world) {
        try (MtastsDaemon daemon = MtastsDaemon.start(world, world.newDirectory("daemon"))) {
            Commands.Result cached = world.postmap(DOMAIN, daemon.table("postfix"));
            assertThat(cached.stdout()).as(cached.describe()).isEqualTo(SECURE);

            world.withdrawPolicy(DOMAIN);
            daemon.restart();

            Commands.Result afterRestart = world.postmap(DOMAIN, daemon.table("postfix"));
            assertThat(afterRestart.stdout()).as(afterRestart.describe() + "\n" + daemon.output()).isEqualTo(SECURE);
            try (SendingPostfix sender = world.newSender(daemon.table("postfix"))) {
                Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient(DOMAIN));

                assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
                assertThat(delivery.reason()).isEqualTo("Server certificate not verified");
                assertThat(world.inMailbox(delivery.recipient())).isFalse();
            }
        }
        // the withdrawal itself worked: a daemon without the cached policy finds none
        try (MtastsDaemon fresh = MtastsDaemon.start(world, world.newDirectory("daemon"), MailWorld.SOCKETMAP_PORT + 1)) {
            Commands.Result uncached = world.postmap(DOMAIN, fresh.table("postfix"));
            assertThat(uncached.exitCode()).as(uncached.describe()).isEqualTo(1);
            assertThat(uncached.stdout()).isEmpty();
        }
    }
}
