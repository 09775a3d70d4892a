package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code bin/mtasts check} as a domain owner runs it, against the world's DNS, HTTPS policy hosts and real Postfix
 * MX hosts on port 25: a correct domain, and one domain per item the check reports as WARN or FAIL (the
 * {@code chk-*} domains of {@link TestZone}, each correct but for one {@link TestDomain.Fault} or MX certificate).
 * Each test asserts the reported item (section, status, reason) and the exit code.
 */
@ExtendWith(MailWorldExtension.class)
class CheckCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path config;
    private static Path caFile;

    @BeforeAll
    static void configure(MailWorld world) throws IOException {
        caFile = world.caFile();
        Path dir = world.newDirectory("check");
        Files.createDirectories(dir);
        config = dir.resolve("mtasts.yml");
        Files.writeString(config, "ca_file: " + world.caFile() + "\n");
    }

    private static Commands.Result table(String domain) {
        return Commands.mtasts(List.of(), Map.of(), "check", "-c", config.toString(), domain);
    }

    /** One item of the JSON report. */
    private record Item(String section, String subject, String status, String reason) {
    }

    /** The JSON report of {@code domain}: its items, verdict text and the process's exit code. */
    private record Report(Commands.Result result, List<Item> items, String verdict) {

        List<Item> items(String section, String status) {
            return items.stream().filter(i -> i.section().equals(section) && i.status().equals(status)).toList();
        }

        /** The one item of {@code section} with {@code status} whose reason contains {@code text}. */
        Item item(String section, String status, String text) {
            List<Item> found = items(section, status).stream().filter(i -> i.reason().contains(text)).toList();
            assertThat(found).as("%s %s item containing \"%s\" in %s", status, section, text, result.describe())
                    .hasSize(1);
            return found.get(0);
        }

        List<Item> withStatus(String status) {
            return items.stream().filter(i -> i.status().equals(status)).toList();
        }
    }

    private static Report json(String domain) {
        Commands.Result result = Commands.mtasts(List.of(), Map.of(), "check", "-c", config.toString(), "--json",
                domain);
        try {
            JsonNode root = JSON.readTree(result.stdout());
            List<Item> items = new ArrayList<>();
            for (JsonNode item : root.get("items")) {
                items.add(new Item(item.get("section").asText(), item.get("subject").asText(),
                        item.get("status").asText(), item.get("reason").asText()));
            }
            assertThat(root.get("exit_code").asInt()).as(result.describe()).isEqualTo(result.exitCode());
            return new Report(result, items, root.get("verdict").get("text").asText());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + result.describe(), e);
        }
    }

    /** A WARN domain: exactly one warning, the one named, nothing failing, safe verdict, exit 0. */
    private static Item onlyWarning(String domain, String section, String text) {
        Report report = json(domain);
        assertThat(report.result().exitCode()).as(report.result().describe()).isZero();
        assertThat(report.withStatus("FAIL")).as(report.result().describe()).isEmpty();
        assertThat(report.withStatus("WARN")).as(report.result().describe()).hasSize(1);
        assertThat(report.verdict()).startsWith("safe to").endsWith("review 1 warning");
        return report.item(section, "WARN", text);
    }

    /** A FAIL domain: the failing item named, exit 1. */
    private static Report failing(String domain, String section, String text) {
        Report report = json(domain);
        assertThat(report.result().exitCode()).as(report.result().describe()).isEqualTo(1);
        report.item(section, "FAIL", text);
        return report;
    }

    // --- DANE (issue 15): the DNSSEC zones of the world, through its validating resolver

    @Test
    void daneDomainWithMatchingTlsaIsAllOk() {
        Report report = json("ee.dane.test");

        assertThat(report.result().exitCode()).as(report.result().describe()).isZero();
        assertThat(report.withStatus("FAIL")).as(report.result().describe()).isEmpty();
        report.item("dane", "OK", "MX records DNSSEC-secure");
        report.item("dane", "OK", "certificate matches TLSA 3 1 1 ");
    }

    @Test
    void tlsaNamingAnotherKeyFailsAsMtaStsAndDaneDisagree() {
        failing("mismatch.dane.test", "dane", "certificate matches none of the usable TLSA records")
                .item("dane", "FAIL", "MTA-STS senders accept this host and DANE senders refuse it");
    }

    @Test
    void bogusTlsaFailsAsDaneSendersDefer() {
        failing("tlsa.bogus.test", "dane", "lookup failed or bogus");
    }

    @Test
    void expiredCertificateMatchingDaneEeWarnsThatOnlyDaneSendersAcceptIt() {
        // DANE-EE ignores the certificate's dates (RFC 7672 §3.1.1); the enforced MTA-STS policy does not
        failing("expired.dane.test", "smtp", "certificate expired on ")
                .item("dane", "WARN", "DANE senders accept this host and MTA-STS senders refuse it");
    }

    @Test
    void tlsaInAnUnsignedZoneDoesNotCount() {
        Report report = json("sts.unsigned.test");

        assertThat(report.result().exitCode()).as(report.result().describe()).isZero();
        report.item("dane", "OK", "MX records not DNSSEC-signed");
        assertThat(report.items("dane", "FAIL")).isEmpty();
    }

    // --- a correct domain, in the table a person reads

    @Test
    void correctDomainIsAllOkAndExitsZero() {
        Commands.Result result = table("good.test");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).as(result.describe())
                .contains("OK     mta-sts-txt _mta-sts.good.test", "one valid STS record, id 1")
                .contains("OK     policy", "fetched and valid: mode enforce, max_age 86400")
                .contains("matched by policy mx mx.good.test")
                .contains("greets: 220", "offers STARTTLS", "TLS completed: TLSv1.3",
                        "certificate chain validates against ca_file " + caFile,
                        "mx.good.test is in the subjectAltName", "certificate valid for ")
                .containsPattern("(?m)^OK +tlsrpt-txt +_smtp\\._tls\\.good\\.test +valid, rua \\[mailto:tlsrpt@reports\\.test]$")
                .contains("VERDICT: safe to stay in enforce (policy mode enforce)")
                .doesNotContain("FAIL", "WARN")
                // not a terminal: no colour
                .doesNotContain("\u001b[");
    }

    @Test
    void colourOnlyOnATerminal() {
        // script(1) runs the command on a pseudo-terminal, as at a person's shell; the tests above read a pipe
        String command = String.join(" ", Path.of(System.getProperty("mtasts.root"), "bin", "mtasts").toString(),
                "check", "-c", config.toString(), "good.test");
        Commands.Result result = Commands.run("script", "-qec", command, "/dev/null");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).as(result.describe()).contains("\u001b[32mOK    \u001b[0m mta-sts-txt")
                .contains("VERDICT: safe to stay in enforce");
    }

    @Test
    void jsonGivesTheSameItemsAsTheTable() {
        Report report = json("nomatch.test");
        Commands.Result table = table("nomatch.test");

        assertThat(table.exitCode()).isEqualTo(report.result().exitCode()).isEqualTo(1);
        assertThat(report.items()).hasSizeGreaterThan(5);
        for (Item item : report.items()) {
            assertThat(table.stdout()).as(table.describe())
                    .containsPattern("(?m)^" + item.status() + " +" + item.section() + " +"
                            + Pattern.quote(item.subject()) + " +"
                            + Pattern.quote(item.reason()) + "$");
        }
        assertThat(table.stdout()).contains("VERDICT: " + report.verdict());
    }

    @Test
    void wildcardPolicyCoversItsMx() {
        Report report = json("wildcard.test");

        assertThat(report.result().exitCode()).as(report.result().describe()).isZero();
        report.item("mx", "OK", "matched by policy mx *.wildcard.test");
    }

    @Test
    void everyAddressOfAnMxIsCheckedIpv4AndIpv6() {
        Report report = json("chk-ipv6.test");

        assertThat(report.result().exitCode()).as(report.result().describe()).isZero();
        assertThat(report.withStatus("FAIL")).isEmpty();
        for (String subject : List.of("mx.chk-ipv6.test 127.0.1.15:25", "mx.chk-ipv6.test [::1]:25")) {
            assertThat(report.items("smtp", "OK")).as(report.result().describe())
                    .filteredOn(i -> i.subject().equals(subject)).extracting(Item::reason)
                    .anyMatch(r -> r.startsWith("greets: 220"))
                    .anyMatch(r -> r.equals("offers STARTTLS"))
                    .anyMatch(r -> r.startsWith("TLS completed: TLSv1."))
                    .anyMatch(r -> r.startsWith("certificate chain validates"))
                    .anyMatch(r -> r.startsWith("mx.chk-ipv6.test is in the subjectAltName"));
        }
    }

    // --- 1. the _mta-sts TXT record

    @Test
    void domainWithoutStsRecordFails() {
        Report report = failing("nopolicy.test", "mta-sts-txt", "senders never look for the policy");

        assertThat(report.verdict()).startsWith("NOT safe to move to enforce");
    }

    @Test
    void twoStsRecordsFail() {
        failing("chk-twotxt.test", "mta-sts-txt", "2 TXT records begin with v=STSv1; exactly one is allowed");
    }

    @Test
    void invalidStsRecordFailsNamingTheRule() {
        failing("chk-badtxt.test", "mta-sts-txt", "id must be 1-32 letters or digits, got \"not-alphanumeric\"");
    }

    // --- 2. the policy: fetch rules, syntax, max_age

    @Test
    void policyHostWithUntrustedCertificateFails() {
        failing("fetchfail.test", "policy", "webpki-invalid");
    }

    @Test
    void policyHostCertificateForAnotherNameFails() {
        Item item = failing("chk-policyname.test", "policy", "webpki-invalid")
                .item("policy", "FAIL", "certificate not valid for mta-sts host");

        assertThat(item.subject()).isEqualTo("https://mta-sts.chk-policyname.test/.well-known/mta-sts.txt");
    }

    @Test
    void policyRedirectFails() {
        failing("chk-redirect.test", "policy",
                "HTTP 301 redirect to https://mta-sts.good.test/.well-known/mta-sts.txt not followed");
    }

    @Test
    void policyStatusOtherThan200Fails() {
        failing("chk-notfound.test", "policy", "HTTP status 404, expected 200");
    }

    @Test
    void policyServedAsHtmlFails() {
        failing("chk-wrongtype.test", "policy", "Content-Type \"text/html\", expected text/plain");
    }

    @Test
    void oversizePolicyFails() {
        failing("chk-oversize.test", "policy", "exceeds 65536 bytes");
    }

    @Test
    void policySyntaxErrorFailsNamingTheLineAndTheRule() {
        Item item = failing("chk-badpolicy.test", "policy", "invalid policy: line 4: \"max_age 86400\"")
                .item("policy", "FAIL", "invalid policy");

        assertThat(item.reason()).matches("invalid policy: line 4: \"max_age 86400\": .+");
    }

    @Test
    void maxAgeUnderOneDayWarns() {
        Item item = onlyWarning("chk-shortage.test", "policy", "is under one day");

        assertThat(item.subject()).isEqualTo("max_age");
        assertThat(item.reason()).startsWith("3600 s (");
    }

    @Test
    void testingModeLeftForLongWarns() {
        Item item = onlyWarning("chk-longtesting.test", "policy", "mode testing with max_age 2592000 s");

        assertThat(item.subject()).isEqualTo("max_age");
    }

    // --- 3. the MX records against the policy's mx patterns

    @Test
    void mxOutsideThePolicyFails() {
        Item item = failing("nomatch.test", "mx", "not covered by any policy mx pattern [mx.elsewhere.test]")
                .item("mx", "FAIL", "not covered");

        assertThat(item.subject()).isEqualTo("mx.nomatch.test (preference 10)");
    }

    @Test
    void policyPatternNoMxUsesWarns() {
        Item item = onlyWarning("chk-unused.test", "mx", "policy pattern matches no MX record of chk-unused.test");

        assertThat(item.subject()).isEqualTo("mx: mx.retired.test");
    }

    // --- 4. every MX address on port 25

    @Test
    void mxWithoutStartTlsFails() {
        Report report = failing("nostarttls.test", "smtp", "STARTTLS not offered");

        report.item("smtp", "OK", "greets: 220");
        assertThat(report.verdict()).startsWith("NOT safe to stay in enforce");
    }

    @Test
    void deadMxFailsAndTheLiveMxIsStillChecked() {
        Report report = failing("chk-deadmx.test", "smtp", "cannot connect");

        assertThat(report.item("smtp", "FAIL", "cannot connect").subject()).isEqualTo("dead.chk-deadmx.test 127.0.3.24:25");
        assertThat(report.item("smtp", "OK", "TLS completed").subject()).isEqualTo("mx.chk-deadmx.test 127.0.1.24:25");
        report.item("smtp", "OK", "mx.chk-deadmx.test is in the subjectAltName");
        assertThat(report.withStatus("FAIL")).hasSize(1);
    }

    @Test
    void mxCertificateFromAnotherCaFails() {
        failing("untrusted.test", "smtp", "certificate chain does not validate against ca_file");
    }

    @Test
    void mxCertificateForAnotherNameFails() {
        failing("wrongname.test", "smtp", "certificate is not for mx.wrongname.test");
    }

    @Test
    void mxNamedOnlyInTheCommonNameFails() {
        Report report = failing("chk-cnonly.test", "smtp", "mx.chk-cnonly.test is only in the Common Name");

        // the chain itself is fine: only the name check fails
        report.item("smtp", "OK", "certificate chain validates");
        assertThat(report.withStatus("FAIL")).hasSize(1);
    }

    @Test
    void expiredMxCertificateFails() {
        failing("expired.test", "smtp", "certificate expired on");
    }

    @Test
    void mxCertificateExpiringWithinTwoWeeksWarns() {
        Item item = onlyWarning("chk-expiring.test", "smtp", "certificate expires in 4 days");

        assertThat(item.reason()).endsWith("under 14");
        assertThat(item.subject()).isEqualTo("mx.chk-expiring.test 127.0.1.17:25");
    }

    // --- 5. the _smtp._tls TXT record

    @Test
    void missingTlsRptRecordWarns() {
        onlyWarning("chk-notlsrpt.test", "tlsrpt-txt", "no TLSRPT record");
    }

    @Test
    void invalidTlsRptRecordFailsButEnforceStaysSafe() {
        Report report = failing("chk-badtlsrpt.test", "tlsrpt-txt", "the rua field is required");

        assertThat(report.verdict()).startsWith("safe to stay in enforce");
    }

    @Test
    void malformedRuaUriFails() {
        Report report = failing("chk-badrua.test", "tlsrpt-txt", "mailto");

        assertThat(report.item("tlsrpt-txt", "FAIL", "mailto").reason()).contains("rua", "recipient");
    }

    // --- usage

    @Test
    void invalidDomainIsAUsageError() {
        Commands.Result result = table("not a domain");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void missingDomainIsAUsageError() {
        Commands.Result result = Commands.mtasts(List.of(), Map.of(), "check", "-c", config.toString());

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
        assertThat(result.stderr()).contains("DOMAIN");
    }
}
