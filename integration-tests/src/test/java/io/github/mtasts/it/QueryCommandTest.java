package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code bin/mta-sts-query} (= {@code mtasts query}) as an administrator runs it: a fresh discovery over the
 * world's DNS and HTTPS, printing the TXT record, the policy and the reply Postfix would get.
 */
@ExtendWith(MailWorldExtension.class)
class QueryCommandTest {

    private static Path config;
    private static String query;

    @BeforeAll
    static void configure(MailWorld world) throws IOException {
        Path dir = world.newDirectory("query");
        Files.createDirectories(dir);
        config = dir.resolve("mtasts.yml");
        Files.writeString(config, "ca_file: " + world.caFile() + "\ncache: {type: internal}\n"
                + "zones:\n  strict: {strict_testing: true}\n");
        query = Path.of(System.getProperty("mtasts.root"), "bin", "mta-sts-query").toString();
    }

    @Test
    void enforcedPolicyIsPrintedWithThePostfixReply() {
        Commands.Result result = Commands.run(query, "-c", config.toString(), "good.test");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).contains("_mta-sts.good.test TXT: \"v=STSv1; id=")
                .contains("  mode: enforce").contains("  mx: mx.good.test")
                .contains("postfix reply: OK secure match=mx.good.test servername=hostname");
    }

    @Test
    void testingPolicyIsNotEnforcedUnlessTheZoneIsStrict() {
        Commands.Result lax = Commands.run(query, "-c", config.toString(), "testing.test");
        Commands.Result strict = Commands.run(query, "-c", config.toString(), "--zone", "strict", "testing.test");

        assertThat(lax.exitCode()).as(lax.describe()).isZero();
        assertThat(lax.stdout()).contains("  mode: testing").contains("postfix reply: NOTFOUND ");
        assertThat(strict.stdout()).as(strict.describe())
                .contains("postfix reply: OK secure match=mx.testing.test servername=hostname");
    }

    @Test
    void domainWithoutPolicyExitsOne() {
        Commands.Result result = Commands.run(query, "-c", config.toString(), "nopolicy.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("_mta-sts.nopolicy.test TXT: none").contains("postfix reply: NOTFOUND ");
    }

    @Test
    void failedFetchExitsThreeWithTheCause() {
        Commands.Result result = Commands.run(query, "-c", config.toString(), "fetchfail.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(3);
        assertThat(result.stderr()).contains("discovery failed (");
    }

    @Test
    void knownVersionSkipsTheFetch() {
        Commands.Result first = Commands.run(query, "-c", config.toString(), "good.test");
        String id = first.stdout().replaceAll("(?s).*_mta-sts.good.test TXT: \"v=STSv1; id=([A-Za-z0-9]+).*", "$1");

        Commands.Result again = Commands.run(query, "-c", config.toString(), "good.test", id);

        assertThat(again.exitCode()).as(again.describe()).isZero();
        assertThat(again.stdout()).contains("policy id " + id + " unchanged");
    }
}
