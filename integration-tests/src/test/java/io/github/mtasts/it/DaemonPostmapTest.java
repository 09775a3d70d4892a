package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 4, scenario 8: what Postfix's own client gets from our daemon, through
 * {@code postmap -q KEY socketmap:inet:127.0.0.1:8461:ZONE}. postmap prints the value without the socketmap
 * {@code OK } status and exits 0; for {@code NOTFOUND } it prints nothing and exits 1 (as it also does for a
 * fatal error, hence the check that stderr stays empty).
 */
@ExtendWith(MailWorldExtension.class)
class DaemonPostmapTest {

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

    @ParameterizedTest(name = "{1} in zone {0}")
    @CsvSource(delimiter = '|', textBlock = """
            postfix | good.test       | secure match=mx.good.test servername=hostname
            postfix | selfsigned.test | secure match=mx.selfsigned.test servername=hostname
            postfix | expired.test    | secure match=mx.expired.test servername=hostname
            postfix | wrongname.test  | secure match=mx.wrongname.test servername=hostname
            postfix | untrusted.test  | secure match=mx.untrusted.test servername=hostname
            postfix | nomatch.test    | secure match=mx.elsewhere.test servername=hostname
            postfix | nostarttls.test | secure match=mx.nostarttls.test servername=hostname
            postfix | wildcard.test   | secure match=.wildcard.test servername=hostname
            strict  | testing.test    | secure match=mx.testing.test servername=hostname
            strict  | good.test       | secure match=mx.good.test servername=hostname
            postfix | GOOD.TEST       | secure match=mx.good.test servername=hostname
            postfix | Good.Test.      | secure match=mx.good.test servername=hostname
            postfix | good.test.      | secure match=mx.good.test servername=hostname
            """)
    void domainWithAnEnforcedPolicyGetsASecureReply(String zone, String key, String expected) {
        Commands.Result result = world.postmap(key, daemon.table(zone));

        assertThat(result.stdout()).as(result.describe()).isEqualTo(expected + "\n");
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stderr()).isEmpty();
    }

    @ParameterizedTest(name = "{1} in zone {0}")
    @CsvSource(delimiter = '|', textBlock = """
            postfix | testing.test
            postfix | nopolicy.test
            postfix | fetchfail.test
            postfix | nonemode.test
            postfix | unknown.test
            strict  | nopolicy.test
            postfix | [127.0.0.1]
            postfix | [127.0.1.1]:25
            postfix | [mx.good.test]
            postfix | [mx.good.test]:25
            postfix | [good.test]
            postfix | .good.test
            postfix | good..test
            """)
    void keyWithoutAnEnforcedPolicyIsNotFound(String zone, String key) {
        Commands.Result result = world.postmap(key, daemon.table(zone));

        assertThat(result.stdout()).as(result.describe()).isEmpty();
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stderr()).as(result.describe()).isEmpty();
    }
}
