package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.SmtpStartTlsServer.Behaviour;
import io.github.mtasts.testing.SmtpStartTlsServer;
import io.github.mtasts.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mtasts check} end to end against dnsmasq, an HTTPS policy host and STARTTLS SMTP servers. */
class CheckCommandTest {

    @TempDir
    static Path dir;

    private static DnsmasqServer dns;
    private static PolicyHttpsServer https;
    private static SmtpStartTlsServer smtp;
    private static Path config;

    @BeforeAll
    static void startWorld() throws Exception {
        TestCa ca = TestCa.create("check command CA");
        Path caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        dns = DnsmasqServer.builder()
                .txt("_mta-sts.chk-good.test", "v=STSv1; id=1")
                .txt("_smtp._tls.chk-good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@chk-good.test")
                .mx("chk-good.test", "mx.chk-good.test", 10)
                .host("mx.chk-good.test", "127.0.2.1")
                .txt("_mta-sts.chk-nostarttls.test", "v=STSv1; id=1")
                .txt("_smtp._tls.chk-nostarttls.test", "v=TLSRPTv1; rua=mailto:tlsrpt@chk-good.test")
                .mx("chk-nostarttls.test", "mx.chk-nostarttls.test", 10)
                .host("mx.chk-nostarttls.test", "127.0.2.2")
                .start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.chk-good.test", ca.issue("mta-sts.chk-good.test").serverContext(),
                        Response.policy("version: STSv1\nmode: enforce\nmax_age: 604800\nmx: mx.chk-good.test\n"))
                .host("mta-sts.chk-nostarttls.test", ca.issue("mta-sts.chk-nostarttls.test").serverContext(),
                        Response.policy("version: STSv1\nmode: testing\nmax_age: 86400\nmx: mx.chk-nostarttls.test\n"))
                .start();
        smtp = SmtpStartTlsServer.builder()
                .host("127.0.2.1", ca.issue("mx.chk-good.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.2.2", ca.issue("mx.chk-nostarttls.test").serverContext(), Behaviour.NO_STARTTLS)
                .start();
        config = Files.writeString(dir.resolve("mtasts.yml"), "ca_file: " + caFile + "\ndns:\n  nameservers: ["
                + dns.hostPort() + "]\n  timeout: 3\n");
    }

    @AfterAll
    static void stopWorld() {
        smtp.close();
        https.close();
        dns.close();
    }

    private static CommandRun check(String... args) {
        return CommandRun.of(new CheckCommand(List.of(dir.resolve("absent.yml")), smtp.port(), https.port()), args);
    }

    @Test
    void correctDomainPrintsAnAllOkTableAndExitsZero() {
        CommandRun run = check("-c", config.toString(), "CHK-GOOD.test.");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).startsWith("MTA-STS check of chk-good.test")
                .contains("OK     smtp", "mx.chk-good.test is in the subjectAltName")
                .endsWith("VERDICT: safe to stay in enforce (policy mode enforce)" + System.lineSeparator())
                .doesNotContain("WARN", "FAIL", "\u001b[");
    }

    @Test
    void jsonReportsTheFailingItemAndExitsOne() throws Exception {
        CommandRun run = check("-c", config.toString(), "--json", "chk-nostarttls.test");

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("domain").asText()).isEqualTo("chk-nostarttls.test");
        assertThat(json.get("items").findValues("status")).extracting(JsonNode::asText).containsOnlyOnce("FAIL");
        assertThat(json.get("items")).anySatisfy(item -> {
            assertThat(item.get("status").asText()).isEqualTo("FAIL");
            assertThat(item.get("section").asText()).isEqualTo("smtp");
            assertThat(item.get("reason").asText()).startsWith("STARTTLS not offered");
        });
        assertThat(json.get("verdict").get("text").asText()).startsWith("NOT safe to move to enforce");
        assertThat(json.get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void missingDomainIsAUsageError() {
        CommandRun run = check();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'DOMAIN'");
    }

    @Test
    void invalidDomainIsAUsageError() {
        CommandRun run = check("-c", config.toString(), "not a domain");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("mtasts check: ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void badConfigIsAUsageErrorNamingTheKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yml"), "dns: {timeout: -1}\n");

        CommandRun run = check("-c", bad.toString(), "chk-good.test");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(bad + ": dns.timeout");
    }

    @Test
    void checkIsASubcommandOfMain() {
        assertThat(Main.commandLine().getSubcommands()).containsKey("check");
    }

    @Test
    void anOverrideForTheDomainIsShownAsAWarningAndTheDomainIsStillChecked() throws Exception {
        Path overridden = Files.writeString(dir.resolve("overridden.yml"), Files.readString(config)
                + "overrides: {chk-good.test: dane-only}\n");

        CommandRun run = check("-c", overridden.toString(), "chk-good.test");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("WARN   override", "overrides chk-good.test",
                        "this host's daemon answers chk-good.test with \"OK dane-only\" in every zone")
                .contains("OK     smtp")
                .contains("VERDICT: safe to stay in enforce (policy mode enforce); review 1 warning");
    }
}
