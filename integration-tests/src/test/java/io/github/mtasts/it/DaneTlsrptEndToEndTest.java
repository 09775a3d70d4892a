package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DANE in TLSRPT end to end: a DANE sender's real deliveries (TLSA match, TLSA mismatch, bogus TLSA), its maillog
 * ingested by {@code mtasts tlsrpt ingest} with {@code tlsrpt.dane: on}, and the day's reports as
 * {@code mtasts tlsrpt report} writes them: each under {@code policy-type: tlsa} with the MX host and its validated
 * TLSA records (RFC 8460 §4.3, §4.4). How reports are mailed is {@link TlsrptEndToEndTest}'s subject.
 */
@ExtendWith(MailWorldExtension.class)
class DaneTlsrptEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void daneDeliveriesAreReportedUnderTheirTlsaPolicies(MailWorld world) throws Exception {
        Path dir = world.newDirectory("tlsrpt-dane");
        LocalDate day;
        Path maillog;
        try (SendingPostfix sender = world.newDaneSender("", Map.of("smtp_tls_security_level", "dane"))) {
            Delivery matching = sender.sendAndAwait(SendingPostfix.uniqueRecipient("ee.dane.test"));
            Delivery mismatch = sender.sendAndAwait(SendingPostfix.uniqueRecipient("mismatch.dane.test"));
            Delivery bogus = sender.sendAndAwait(SendingPostfix.uniqueRecipient("tlsa.bogus.test"));
            assertThat(matching.sent()).as(matching.toString()).isTrue();
            assertThat(mismatch.deferred()).as(mismatch.toString()).isTrue();
            assertThat(bogus.deferred()).as(bogus.toString()).isTrue();
            day = LocalDate.now(ZoneOffset.UTC);
            maillog = sender.maillog();
        }
        if (!LocalDate.now(ZoneOffset.UTC).equals(day)) {
            throw new IllegalStateException("the UTC day changed during the traffic; rerun the test");
        }
        Path config = TlsrptEndToEndTest.writeConfig(world, dir, "  dane: \"on\"\n");

        Commands.Result ingest = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "ingest", "-c", config.toString(),
                maillog.toString());
        assertThat(ingest.exitCode()).as(ingest.describe()).isZero();
        Path out = dir.resolve("reports");
        Commands.Result report = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "report", "--day", day.toString(),
                "--out", out.toString(), "-c", config.toString());
        assertThat(report.exitCode()).as(report.describe()).isZero();
        assertThat(report.stdout()).contains("ee.dane.test: report-id", "destinations: mailto:tlsrpt@reports.test");

        JsonNode matchingPolicy = onlyPolicy(report(out, "ee.dane.test"));
        assertThat(matchingPolicy.at("/policy/policy-type").asText()).isEqualTo("tlsa");
        assertThat(matchingPolicy.at("/policy/policy-domain").asText()).isEqualTo("ee.dane.test");
        assertThat(matchingPolicy.at("/policy/mx-host").toString()).isEqualTo("[\"mx.ee.dane.test\"]");
        assertThat(matchingPolicy.at("/policy/policy-string")).hasSize(1);
        assertThat(matchingPolicy.at("/policy/policy-string/0").asText()).matches("3 1 1 [0-9a-f]{64}");
        assertThat(matchingPolicy.at("/summary/total-successful-session-count").asInt()).isEqualTo(1);
        assertThat(matchingPolicy.at("/summary/total-failure-session-count").asInt()).isZero();

        JsonNode mismatchPolicy = onlyPolicy(report(out, "mismatch.dane.test"));
        assertThat(mismatchPolicy.at("/policy/policy-type").asText()).isEqualTo("tlsa");
        assertThat(mismatchPolicy.at("/policy/policy-string/0").asText()).matches("3 1 1 [0-9a-f]{64}");
        assertThat(mismatchPolicy.at("/summary/total-successful-session-count").asInt()).isZero();
        JsonNode mismatch = mismatchPolicy.at("/failure-details/0");
        assertThat(mismatch.get("result-type").asText()).isEqualTo("tlsa-invalid");
        assertThat(mismatch.get("receiving-mx-hostname").asText()).isEqualTo("mx.mismatch.dane.test");
        assertThat(mismatch.get("receiving-ip").asText()).isEqualTo("127.0.1.34");
        assertThat(mismatch.get("failed-session-count").asInt()).isGreaterThanOrEqualTo(1);

        // the reporter's own TLSA lookup fails like Postfix's: a tlsa policy whose records are unknown
        JsonNode bogusPolicy = onlyPolicy(report(out, "tlsa.bogus.test"));
        assertThat(bogusPolicy.at("/policy/policy-type").asText()).isEqualTo("tlsa");
        assertThat(bogusPolicy.at("/policy/mx-host").toString()).isEqualTo("[\"mx.tlsa.bogus.test\"]");
        assertThat(bogusPolicy.at("/policy/policy-string").isMissingNode()
                || bogusPolicy.at("/policy/policy-string").isEmpty()).isTrue();
        JsonNode bogus = bogusPolicy.at("/failure-details/0");
        assertThat(bogus.get("result-type").asText()).isEqualTo("dnssec-invalid");
        assertThat(bogus.get("receiving-mx-hostname").asText()).isEqualTo("mx.tlsa.bogus.test");
        assertThat(bogus.get("failure-reason-code").asText()).isEqualTo("TLSA lookup error for mx.tlsa.bogus.test:25");
    }

    /** The report about {@code policyDomain} that {@code tlsrpt report} wrote ({@code sender.test!DOMAIN!...json}). */
    private static JsonNode report(Path out, String policyDomain) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            List<Path> json = files.filter(f -> f.getFileName().toString().startsWith("sender.test!" + policyDomain + "!")
                    && f.getFileName().toString().endsWith(".json")).toList();
            assertThat(json).as("the report about " + policyDomain + " in " + out).hasSize(1);
            return JSON.readTree(json.get(0).toFile());
        }
    }

    private static JsonNode onlyPolicy(JsonNode report) {
        assertThat(report.get("policies")).as(report.toString()).hasSize(1);
        return report.at("/policies/0");
    }
}
