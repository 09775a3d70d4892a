package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 5 against real logs: one mail to every scenario domain through the sending Postfix with our daemon as its
 * policy map (so the daemon records the policies it serves and the discoveries that fail), then
 * {@code mtasts tlsrpt ingest} of that Postfix's maillog and {@code mtasts tlsrpt status --json}, which must show
 * each domain under the right policy with the right success count and failure counts by RFC 8460 result type.
 *
 * <p>Postfix retries deferred mail every second or two while the other mails go out, so a failing domain may see
 * several attempts before the sender stops. Each attempt is a TLS session: the expected failure count of a domain
 * is the number of SMTP connections Postfix logged for it, read from the same log after the sender stopped.
 */
@ExtendWith(MailWorldExtension.class)
class TlsrptClassificationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@code status} must show for a domain: its one policy group and what its sessions did. */
    private record Expected(String policyType, boolean policyUnavailable, boolean delivered, String failureType) {
    }

    private static final Map<String, Expected> SCENARIOS = scenarios();

    private static Map<String, Expected> scenarios() {
        Map<String, Expected> expected = new LinkedHashMap<>();
        expected.put("good.test", new Expected("sts", false, true, null));
        expected.put("selfsigned.test", new Expected("sts", false, false, "certificate-not-trusted"));
        expected.put("expired.test", new Expected("sts", false, false, "certificate-expired"));
        expected.put("wrongname.test", new Expected("sts", false, false, "certificate-host-mismatch"));
        expected.put("untrusted.test", new Expected("sts", false, false, "certificate-not-trusted"));
        // the MX's certificate is valid for its own name, which the policy does not list
        expected.put("nomatch.test", new Expected("sts", false, false, "certificate-host-mismatch"));
        expected.put("nostarttls.test", new Expected("sts", false, false, "starttls-not-supported"));
        // RFC 8461 §5: testing mode delivers over the untrusted connection and reports what enforce would refuse
        expected.put("testing.test", new Expected("sts", false, true, "certificate-not-trusted"));
        // opportunistic TLS with no policy to validate against: an untrusted certificate is no failure
        expected.put("nopolicy.test", new Expected("no-policy-found", false, true, null));
        // RFC 8460 §4.3.2.2: the policy host's certificate does not validate, the mail goes out opportunistically
        expected.put("fetchfail.test", new Expected("sts", true, true, "sts-webpki-invalid"));
        expected.put("wildcard.test", new Expected("sts", false, true, null));
        // RFC 8461 §5: mode none is no policy
        expected.put("nonemode.test", new Expected("no-policy-found", false, true, null));
        return expected;
    }

    @Test
    void everyScenarioDomainIsCountedUnderItsPolicyWithItsResultType(MailWorld world) throws Exception {
        Path dir = world.newDirectory("tlsrpt-classes");
        Map<String, String> recipients = new LinkedHashMap<>();
        SCENARIOS.keySet().forEach(domain -> recipients.put(domain, SendingPostfix.uniqueRecipient(domain)));
        LocalDate day;
        List<String> log;
        Path maillog;
        try (MtastsDaemon daemon = MtastsDaemon.start(world, dir);
             SendingPostfix sender = world.newSender(daemon.table("postfix"))) {
            day = LocalDate.now(ZoneOffset.UTC);
            recipients.values().forEach(sender::send);
            Map<String, Delivery> first = new LinkedHashMap<>();
            recipients.forEach((domain, recipient) -> first.put(domain, sender.awaitFirstAttempt(recipient)));
            first.forEach((domain, delivery) -> assertThat(delivery.sent())
                    .as(domain + ": " + delivery).isEqualTo(SCENARIOS.get(domain).delivered()));
            sender.close();
            log = sender.log();
            maillog = sender.maillog();
        }
        if (!LocalDate.now(ZoneOffset.UTC).equals(day)) {
            throw new IllegalStateException("the UTC day changed during the traffic; rerun the test");
        }
        // no connection was reused (the sender keeps no TLS session cache): every attempt below is a new session
        assertThat(log).noneMatch(line -> line.contains("TLS connection reused"));

        Path config = writeConfig(world, dir);
        Commands.Result ingest = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "ingest", "-c", config.toString(),
                maillog.toString());
        assertThat(ingest.exitCode()).as(ingest.describe()).isZero();
        Commands.Result status = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "status", "-c", config.toString(),
                "--json", "--day", day.toString());
        assertThat(status.exitCode()).as(status.describe()).isZero();
        JsonNode document = JSON.readTree(status.stdout());

        Map<String, JsonNode> byDomain = new TreeMap<>();
        for (JsonNode policy : document.get("policies")) {
            JsonNode earlier = byDomain.put(policy.get("policy_domain").asText(), policy);
            assertThat(earlier).as("one policy group per domain in\n" + status.stdout()).isNull();
        }
        assertThat(byDomain).as(status.stdout()).containsOnlyKeys(SCENARIOS.keySet());
        for (Map.Entry<String, Expected> scenario : SCENARIOS.entrySet()) {
            assertScenario(scenario.getKey(), scenario.getValue(), byDomain.get(scenario.getKey()),
                    attempts(log, recipients.get(scenario.getKey())), status.stdout());
        }
        assertThat(document.at("/lines/uncounted_sessions").asLong()).as(status.stdout()).isZero();
    }

    private static void assertScenario(String domain, Expected expected, JsonNode policy, int attempts,
                                       String document) {
        TestDomain testDomain = TestZone.domain(domain);
        String what = domain + " (" + attempts + " attempts) in\n" + document;
        assertThat(attempts).as(what).isGreaterThanOrEqualTo(1);
        if (expected.delivered()) {
            assertThat(attempts).as(what).isEqualTo(1);
        }
        assertThat(policy.get("policy_type").asText()).as(what).isEqualTo(expected.policyType());
        assertThat(policy.get("policy_unavailable").asBoolean()).as(what).isEqualTo(expected.policyUnavailable());
        if (expected.failureType() == null) {
            assertThat(policy.get("successful_sessions").asLong()).as(what).isEqualTo(attempts);
            assertThat(policy.get("failed_sessions").asLong()).as(what).isZero();
            assertThat(policy.get("failures_by_type").size()).as(what).isZero();
            return;
        }
        assertThat(policy.get("successful_sessions").asLong()).as(what).isZero();
        assertThat(policy.get("failed_sessions").asLong()).as(what).isEqualTo(attempts);
        assertThat(JSON.convertValue(policy.get("failures_by_type"), Map.class)).as(what)
                .isEqualTo(Map.of(expected.failureType(), attempts));
        for (JsonNode detail : policy.get("failure_details")) {
            assertThat(detail.get("receiving_mx_hostname").asText()).as(what).isEqualTo(testDomain.mxHost());
            assertThat(detail.get("receiving_ip").asText()).as(what).isEqualTo(testDomain.mxAddress());
            assertThat(detail.get("sending_mta_ip").asText()).as(what).isEqualTo("127.0.0.1");
        }
    }

    /** The SMTP connections Postfix logged for {@code recipient}: its delivery lines with a relay host. */
    private static int attempts(List<String> log, String recipient) {
        Pattern connected = Pattern.compile("/smtp\\[\\d+\\]: [0-9A-F]+: to=<" + Pattern.quote(recipient)
                + ">, relay=(?!none,)");
        return (int) log.stream().filter(line -> connected.matcher(line).find()).count();
    }

    private static Path writeConfig(MailWorld world, Path dir) throws IOException {
        Path config = dir.resolve("tlsrpt.yml");
        Files.writeString(config, """
                ca_file: %s
                cache:
                  type: sqlite
                  options:
                    filename: %s
                tlsrpt:
                  sending_mta_ips: [127.0.0.1]
                """.formatted(world.caFile(), dir.resolve("cache.db")));
        return config;
    }
}
