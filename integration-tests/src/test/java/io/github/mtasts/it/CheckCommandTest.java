package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code bin/mtasts check} as a domain owner runs it, against the world's DNS, HTTPS policy hosts and real Postfix
 * MX hosts on port 25: a correct domain, and one domain per problem the world's MX hosts and policies have.
 */
@ExtendWith(MailWorldExtension.class)
class CheckCommandTest {

    private static Path config;
    private static String mtasts;

    @BeforeAll
    static void configure(MailWorld world) throws IOException {
        Path dir = world.newDirectory("check");
        Files.createDirectories(dir);
        config = dir.resolve("mtasts.yml");
        Files.writeString(config, "ca_file: " + world.caFile() + "\n");
        mtasts = Path.of(System.getProperty("mtasts.root"), "bin", "mtasts").toString();
    }

    private static Commands.Result check(String domain) {
        return Commands.run(mtasts, "check", "-c", config.toString(), domain);
    }

    @Test
    void correctDomainIsAllOkAndExitsZero() {
        Commands.Result result = check("good.test");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).as(result.describe())
                .contains("OK     mta-sts-txt", "OK     policy", "matched by policy mx mx.good.test",
                        "offers STARTTLS", "mx.good.test is in the subjectAltName", "OK     tlsrpt-txt")
                .contains("VERDICT: safe to stay in enforce (policy mode enforce)")
                .doesNotContain("FAIL", "WARN");
    }

    @Test
    void wildcardPolicyCoversItsMx() {
        Commands.Result result = check("wildcard.test");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).contains("matched by policy mx *.wildcard.test");
    }

    @Test
    void mxWithoutStartTlsFails() {
        Commands.Result result = check("nostarttls.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("FAIL   smtp").contains("STARTTLS not offered")
                .contains("VERDICT: NOT safe to stay in enforce");
    }

    @Test
    void mxCertificateForAnotherNameFails() {
        Commands.Result result = check("wrongname.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("certificate is not for mx.wrongname.test");
    }

    @Test
    void expiredMxCertificateFails() {
        Commands.Result result = check("expired.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("certificate expired on");
    }

    @Test
    void mxCertificateFromAnotherCaFails() {
        Commands.Result result = check("untrusted.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("certificate chain does not validate against ca_file");
    }

    @Test
    void mxOutsideThePolicyFailsAndTheUnusedPatternWarns() {
        Commands.Result result = check("nomatch.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("not covered by any policy mx pattern [mx.elsewhere.test]")
                .contains("policy pattern matches no MX record of nomatch.test");
    }

    @Test
    void domainWithoutStsRecordFails() {
        Commands.Result result = check("nopolicy.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("FAIL   mta-sts-txt").contains("senders never look for the policy");
    }

    @Test
    void policyHostWithUntrustedCertificateFails() {
        Commands.Result result = check("fetchfail.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("FAIL   policy").contains("webpki-invalid");
    }

    @Test
    void jsonGivesTheSameItems() {
        Commands.Result result = Commands.run(mtasts, "check", "-c", config.toString(), "--json", "testing.test");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("\"domain\" : \"testing.test\"")
                .contains("\"text\" : \"NOT safe to move to enforce");
    }

    @Test
    void invalidDomainIsAUsageError() {
        Commands.Result result = check("not a domain");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
    }
}
