package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 4, scenario 7 (RFC 8461 §5): once a domain's enforced policy is cached in the sqlite store, an attacker
 * who strips the {@code _mta-sts} record and blocks the policy host cannot downgrade delivery, not even across
 * a daemon restart. downgrade.test's MX has a self-signed certificate, so "still enforced" shows as deferral.
 * The world gets the record and the policy host back afterwards, whatever the outcome.
 */
@ExtendWith(MailWorldExtension.class)
class DaemonDowngradeResistanceTest {

    private static final String DOMAIN = "downgrade.test";
    private static final String SECURE = "secure match=mx.downgrade.test servername=hostname\n";

    @Test
    void cachedEnforcedPolicySurvivesWithdrawalOfRecordAndPolicyHostAcrossRestart(MailWorld world) {
        Path daemonDir = world.newDirectory("daemon");
        try (MtastsDaemon daemon = MtastsDaemon.start(world, daemonDir)) {
            Commands.Result cached = world.postmap(DOMAIN, daemon.table("postfix"));
            assertThat(cached.stdout()).as(cached.describe()).isEqualTo(SECURE);

            world.withdrawPolicy(DOMAIN);
            daemon.restart();

            // what the restarted daemon knows comes from the sqlite file, not from memory
            Commands.Result stored = Commands.check("sqlite3", daemonDir.resolve("cache.db").toString(),
                    "SELECT mode, txt_id FROM policy WHERE domain = '" + DOMAIN + "'");
            assertThat(stored.stdout()).isEqualTo("ENFORCE|" + TestZone.domain(DOMAIN).number() + "\n");
            Commands.Result afterRestart = world.postmap(DOMAIN, daemon.table("postfix"));
            assertThat(afterRestart.stdout()).as(afterRestart.describe() + "\n" + daemon.output()).isEqualTo(SECURE);
            try (SendingPostfix sender = world.newSender(daemon.table("postfix"))) {
                Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient(DOMAIN));

                assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
                assertThat(delivery.reason()).isEqualTo("Server certificate not verified");
                assertThat(delivery.logged("certificate verification failed for mx.downgrade.test[127.0.1.11]:25"))
                        .as(delivery.toString()).isTrue();
                assertThat(world.inMailbox(delivery.recipient())).isFalse();
            }
            // the withdrawal itself worked: a daemon without the cached policy finds none
            try (MtastsDaemon fresh = MtastsDaemon.start(world, world.newDirectory("daemon"),
                    MailWorld.SOCKETMAP_PORT + 1)) {
                Commands.Result uncached = world.postmap(DOMAIN, fresh.table("postfix"));
                assertThat(uncached.exitCode()).as(uncached.describe()).isEqualTo(1);
                assertThat(uncached.stdout()).isEmpty();
            }
        } finally {
            world.restorePolicy(DOMAIN);
        }
        try (MtastsDaemon afterRestore = MtastsDaemon.start(world, world.newDirectory("daemon"),
                MailWorld.SOCKETMAP_PORT + 1)) {
            Commands.Result restored = world.postmap(DOMAIN, afterRestore.table("postfix"));
            assertThat(restored.stdout()).as("the world serves the policy again: " + restored.describe())
                    .isEqualTo(SECURE);
        }
    }
}
