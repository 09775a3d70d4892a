package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6 end to end: real mail through the sending Postfix with our daemon as its policy map, then
 * {@code mtasts tlsrpt ingest} of that Postfix's maillog and {@code mtasts tlsrpt send} of the day, whose report
 * mail must arrive in the reports.test Maildir (the rua of every test domain) with counts matching the traffic.
 *
 * <p>{@code send} refuses a day that has not ended. Rather than a test-only option in the product, the command
 * runs under {@code faketime '+1d'} (Debian package faketime): it sees tomorrow, as the service does after
 * midnight, and everything else (the store, DNS, SMTP) is real.
 */
@ExtendWith(MailWorldExtension.class)
class TlsrptEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RELAY = "127.0.1.14"; // mx.reports.test, the final destination of the reports

    @Test
    void dailyReportMailCountsTheEnforcedDeliveryAndTheSelfSignedFailure(MailWorld world) throws Exception {
        Path dir = world.newDirectory("tlsrpt-e2e");
        LocalDate day;
        Path maillog;
        try (MtastsDaemon daemon = MtastsDaemon.start(world, dir);
             SendingPostfix sender = world.newSender(daemon.table("postfix"))) {
            String goodRecipient = SendingPostfix.uniqueRecipient("good.test");
            String failingRecipient = SendingPostfix.uniqueRecipient("selfsigned.test");
            Delivery good = sender.sendAndAwait(goodRecipient);
            Delivery failing = sender.sendAndAwait(failingRecipient);
            assertThat(good.sent()).as(good.toString()).isTrue();
            assertThat(failing.deferred()).as(failing.toString()).isTrue();
            day = LocalDate.now(ZoneOffset.UTC);
            maillog = sender.maillog();
        }
        if (!LocalDate.now(ZoneOffset.UTC).equals(day)) {
            // traffic straddling midnight would be split over two reports; start again from a clean world
            throw new IllegalStateException("the UTC day changed during the traffic; rerun the test");
        }
        Path config = writeConfig(world, dir);

        Commands.Result ingest = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "ingest", "-c", config.toString(),
                maillog.toString());
        assertThat(ingest.exitCode()).as(ingest.describe()).isZero();
        Commands.Result send = Commands.mtasts(List.of("faketime", "-f", "+1d"),
                // the JVM times its own waits with the monotonic clock; only the wall clock moves a day
                Map.of("FAKETIME_DONT_FAKE_MONOTONIC", "1"), "tlsrpt", "send", "--day", day.toString(),
                "-c", config.toString());
        assertThat(send.exitCode()).as(send.describe()).isZero();

        JsonNode goodReport = awaitReport(world, "good.test");
        JsonNode failingReport = awaitReport(world, "selfsigned.test");

        assertThat(goodReport.at("/date-range/start-datetime").asText()).isEqualTo(day + "T00:00:00Z");
        JsonNode goodPolicy = goodReport.at("/policies/0");
        assertThat(goodReport.get("policies")).hasSize(1);
        assertThat(goodPolicy.at("/policy/policy-type").asText()).isEqualTo("sts");
        assertThat(goodPolicy.at("/policy/policy-domain").asText()).isEqualTo("good.test");
        assertThat(goodPolicy.at("/policy/mx-host").toString()).contains("mx.good.test");
        assertThat(goodPolicy.at("/summary/total-successful-session-count").asInt()).isEqualTo(1);
        assertThat(goodPolicy.at("/summary/total-failure-session-count").asInt()).isZero();

        assertThat(failingReport.get("policies")).hasSize(1);
        JsonNode failingPolicy = failingReport.at("/policies/0");
        assertThat(failingPolicy.at("/policy/policy-domain").asText()).isEqualTo("selfsigned.test");
        assertThat(failingPolicy.at("/summary/total-successful-session-count").asInt()).isZero();
        assertThat(failingPolicy.at("/summary/total-failure-session-count").asInt()).isGreaterThanOrEqualTo(1);
        JsonNode failure = failingPolicy.at("/failure-details/0");
        assertThat(failure.get("result-type").asText()).isEqualTo("certificate-not-trusted");
        assertThat(failure.get("receiving-mx-hostname").asText()).isEqualTo("mx.selfsigned.test");
        assertThat(failure.get("receiving-ip").asText()).isEqualTo("127.0.1.2");
        assertThat(failure.get("failed-session-count").asInt())
                .isEqualTo(failingPolicy.at("/summary/total-failure-session-count").asInt());
    }

    static Path writeConfig(MailWorld world, Path dir) throws IOException {
        return writeConfig(world, dir, "");
    }

    /** The tlsrpt configuration, with {@code extraTlsrptKeys} (indented lines) added to its tlsrpt section. */
    static Path writeConfig(MailWorld world, Path dir, String extraTlsrptKeys) throws IOException {
        return writeConfig(world, dir, dir.resolve("cache.db"), extraTlsrptKeys);
    }

    /** Like {@link #writeConfig(MailWorld, Path, String)}, with the policy store (sqlite) {@code policyStore}. */
    static Path writeConfig(MailWorld world, Path dir, Path policyStore, String extraTlsrptKeys) throws IOException {
        return writeConfig(world, dir, policyStore, RELAY, 25, extraTlsrptKeys);
    }

    /** Like {@link #writeConfig(MailWorld, Path, Path, String)}, reports mailed through {@code relayHost}. */
    static Path writeConfig(MailWorld world, Path dir, Path policyStore, String relayHost, int relayPort,
            String extraTlsrptKeys)
            throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("tlsrpt.yml");
        Files.writeString(config, """
                ca_file: %s
                cache:
                  type: sqlite
                  options:
                    filename: %s
                tlsrpt:
                  sending_mta_ips: [127.0.0.1]
                  report:
                    organization_name: mtasts integration test
                    contact_info: postmaster@sender.test
                    submitter_domain: sender.test
                    from: tlsrpt-noreply@sender.test
                    relay: {host: %s, port: %d, starttls: "off"}
                """.formatted(world.caFile(), policyStore, relayHost, relayPort) + extraTlsrptKeys);
        return config;
    }

    /** Waits for the report mail about {@code policyDomain} and returns its gunzipped JSON report. */
    private static JsonNode awaitReport(MailWorld world, String policyDomain) throws Exception {
        Path file = Waits.until("the TLSRPT report for " + policyDomain + " in the reports.test Maildir",
                Waits.GENEROUS, () -> world.messagesContaining("reports.test", "TLS-Report-Domain: " + policyDomain)
                        .stream().findFirst());
        MimeMessage message;
        try (InputStream in = Files.newInputStream(file)) {
            message = new MimeMessage(Session.getInstance(new Properties()), in);
        }
        ContentType contentType = new ContentType(message.getContentType());
        assertThat(contentType.getBaseType()).isEqualTo("multipart/report");
        assertThat(contentType.getParameter("report-type")).isEqualTo("tlsrpt");
        assertThat(message.getHeader("TLS-Required", null)).isEqualTo("No");
        Multipart parts = (Multipart) message.getContent();
        List<String> types = new ArrayList<>();
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            types.add(part.getContentType());
            if (part.isMimeType("application/tlsrpt+gzip")) {
                assertThat(part.getFileName()).startsWith("sender.test!" + policyDomain + "!").endsWith(".json.gz");
                try (InputStream gz = new GZIPInputStream(part.getInputStream())) {
                    return JSON.readTree(gz);
                }
            }
        }
        throw new AssertionError("no application/tlsrpt+gzip part in " + file + ", parts: " + types);
    }
}
