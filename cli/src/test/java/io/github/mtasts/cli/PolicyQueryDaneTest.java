package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.testing.DnssecWorld;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.TestCa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mtasts query} in a {@code dane: on} zone: the DANE state (real DNSSEC) beside the policy, and the final reply. */
@Timeout(60)
class PolicyQueryDaneTest {

    static final ZoneConfig DANE_ON = new ZoneConfig(false, Duration.ofSeconds(4), true, false, DaneMode.ON);

    static DnssecWorld world;
    static PolicyHttpsServer https;
    static DaemonConfig config;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create("query dane CA");
        Path caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        world = DnssecWorld.start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.usable.signed.test", ca.issue("mta-sts.usable.signed.test").serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mx-usable.signed.test\nmax_age: 86400\n"))
                .start();
        config = ConfigLoader.parse("test", "ca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"127.0.0.1:" + world.resolver().getPort() + "\"]\n  timeout: 3\n");
    }

    @AfterAll
    static void stop() {
        if (https != null) {
            https.close();
        }
        if (world != null) {
            world.close();
        }
    }

    static String query(String domain) {
        StringWriter out = new StringWriter();
        new PolicyQuery(new PrintWriter(out), new PrintWriter(new StringWriter()), https.port())
                .run(config, DANE_ON, domain, Optional.empty());
        return out.toString();
    }

    @Test
    void showsTheDaneStateAndTheComposedReply() {
        String printed = query("usable.signed.test");
        assertThat(printed).contains("MTA-STS answer: OK secure match=mx-usable.signed.test servername=hostname\n")
                .contains("DANE, DNSSEC status from resolver [")
                .contains("  MX secure (usable.signed.test MX: 1 record(s), secure)\n")
                .contains("  mx-usable.signed.test: TLSA secure-usable (")
                .contains("    TLSA " + DnssecWorld.USABLE_TLSA + "\n")
                .contains("  DANE applies\n")
                .endsWith("postfix reply: OK dane-only\n");
    }

    @Test
    void unusableRecordsAreMarkedAndTheStsAnswerStands() {
        String printed = query("unusable.signed.test");
        assertThat(printed).contains("TLSA secure-unusable")
                .contains("    TLSA " + DnssecWorld.UNUSABLE_TLSA + " (unusable for SMTP)\n")
                .contains("  DANE does not apply\n")
                .endsWith("postfix reply: NOTFOUND \n");
    }

    @Test
    void smartHostShowsItsOwnDaneStateAtItsPort() {
        String at587 = query("[usable.signed.test]:587");
        assertThat(at587).contains("MTA-STS answer: OK secure match=mx-usable.signed.test servername=hostname\n")
                .contains("  [usable.signed.test]:587 without MX lookup, address secure (no MX lookup; address:"
                        + " usable.signed.test A: 1 record(s), secure)\n")
                .contains("  usable.signed.test: TLSA secure-usable (_587._tcp.usable.signed.test TLSA:")
                .contains("  DANE applies\n")
                .doesNotContain("mx-usable.signed.test: TLSA")
                .endsWith("postfix reply: OK dane-only\n");

        String at25 = query("[usable.signed.test]");
        assertThat(at25).contains("  usable.signed.test: TLSA secure-denied (_25._tcp.usable.signed.test TLSA:")
                .contains("  DANE does not apply\n")
                .endsWith("postfix reply: OK secure match=mx-usable.signed.test servername=hostname\n");
    }

    @Test
    void bogusIsIndeterminate() {
        String printed = query("bogus.test");
        assertThat(printed).contains("  MX indeterminate (").contains("SERVFAIL")
                .contains("  DANE is indeterminate")
                .endsWith("postfix reply: OK dane\n");
    }
}
