package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 16 end to end: Postfix 3.11.6 and 3.10.13 built with TLSRPT send their datagrams to our collector
 * ({@code mtasts tlsrpt collect}, a real process on {@code tlsrpt.socket}); the day's reports built from the
 * collector's store ({@code mtasts tlsrpt report}) must say what the sessions were, and equal the reports that log
 * ingest ({@code mtasts tlsrpt ingest}) builds from the same sender's maillog in a store of its own.
 *
 * <p>Only the datagrams know the receiving MX's EHLO name ({@code receiving-mx-helo}): Postfix does not log it.
 * Every other field of a report is known to both sources and must be equal.
 */
@ExtendWith(MailWorldExtension.class)
class TlsrptCollectorEndToEndTest {

    /** The EHLO name every receiving MX of the world gives. */
    private static final String MX_HELO = "mx.receiver.test";
    /** The submission listener of the Postfix our report mail goes through. */
    private static final int SUBMISSION_PORT = 2525;
    private static final String SUBMISSION = "127.0.0.1:" + SUBMISSION_PORT;

    private static MailWorld world;
    private static MtastsDaemon daemon;
    private static Path daemonStore;

    @BeforeAll
    static void startDaemon(MailWorld mailWorld) {
        world = mailWorld;
        Path dir = world.newDirectory("daemon");
        daemonStore = dir.resolve("cache.db");
        daemon = MtastsDaemon.start(world, dir, MailWorld.SOCKETMAP_PORT, List.of(TlsrptPostfixDeliveryTest.RPT));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Where one collector keeps its store and socket, and the configuration naming them. */
    private record CollectorSetup(Path dir, Path config, Path socket) {

        static CollectorSetup create(String extraTlsrptKeys) throws IOException {
            Path dir = world.newDirectory("collector");
            Path socket = dir.resolve("tlsrpt.sock");
            // smtp(8) sends as the postfix user
            Path config = TlsrptEndToEndTest.writeConfig(world, dir, """
                      socket: %s
                      socket_mode: "0660"
                      socket_group: postfix
                    """.formatted(socket) + extraTlsrptKeys);
            return new CollectorSetup(dir, config, socket);
        }

        Map<String, String> senderSettings() {
            return Map.of("smtp_tlsrpt_enable", "yes", "smtp_tlsrpt_socket_name", socket.toString());
        }
    }

    /**
     * Log ingest alone, collector off: its own aggregate store, the daemon's store for the policies it served (as
     * the log names no policy).
     */
    private static Path logIngestConfig(String extraTlsrptKeys) throws IOException {
        Path dir = world.newDirectory("log-ingest");
        return TlsrptEndToEndTest.writeConfig(world, dir, daemonStore, """
                  store: {type: sqlite, options: {filename: %s}}
                """.formatted(dir.resolve("tlsrpt.db")) + extraTlsrptKeys);
    }

    @Test
    void theCollectorsReportSaysWhatEachStsSessionWasAndLogIngestAgrees() throws IOException {
        Map<String, Boolean> sentByDomain = new LinkedHashMap<>();
        sentByDomain.put("good.test", true);
        sentByDomain.put("wrongname.test", false);
        sentByDomain.put("selfsigned.test", false);
        sentByDomain.put("untrusted.test", false);
        sentByDomain.put("nostarttls.test", false);
        sentByDomain.put("nopolicy.test", true);
        CollectorSetup collector = CollectorSetup.create("");
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        SendingPostfix sender;
        List<String> log;
        Map<String, JsonNode> collected;
        try (TlsrptCollector running = TlsrptCollector.start(collector.config(), collector.socket())) {
            sender = world.newSender(PostfixBuild.withTlsrpt("3.11.6"),
                    daemon.table(TlsrptPostfixDeliveryTest.RPT.name()), collector.senderSettings());
            try {
                Map<String, String> recipients = new LinkedHashMap<>();
                sentByDomain.keySet().forEach(d -> recipients.put(d, SendingPostfix.uniqueRecipient(d)));
                recipients.values().forEach(sender::send);
                recipients.forEach((domain, recipient) -> {
                    Delivery delivery = sender.awaitFirstAttempt(recipient);
                    assertThat(delivery.sent()).as(delivery.toString()).isEqualTo(sentByDomain.get(domain));
                });
            } finally {
                // the deferred mails are retried until the sender stops: its log then holds every session
                sender.close();
            }
            log = sender.log();
            long reported = tlsrptLines(log, null).size();
            Waits.until(reported + " sessions in the collector's store", Waits.GENEROUS,
                    () -> TlsrptReports.sessions(collector.config(), day) == reported);
            collected = TlsrptReports.policies(collector.config(), day, collector.dir().resolve("reports"));

            // both sources on at once over one store: log ingest with tlsrpt.socket set leaves the sessions Postfix
            // reported to the collector
            ingest(collector.config(), sender.maillog());
            assertThat(TlsrptReports.policies(collector.config(), day, collector.dir().resolve("reports-both")))
                    .as("the collector's store after log ingest of the same traffic").isEqualTo(collected);
        }
        assertSameDay(day);

        assertThat(collected.keySet()).containsExactlyInAnyOrderElementsOf(sentByDomain.keySet());
        for (String domain : sentByDomain.keySet()) {
            assertReportSays(collected.get(domain), domain, tlsrptLines(log, domain));
        }

        Path logOnly = logIngestConfig("");
        ingest(logOnly, sender.maillog());
        Map<String, JsonNode> ingested = TlsrptReports.policies(logOnly, day, logOnly.resolveSibling("reports"));
        assertThat(ingested.keySet()).isEqualTo(collected.keySet());
        collected.forEach((domain, policies) -> assertThat(TlsrptReports.withoutHelo(ingested.get(domain)))
                .as(domain + ": log ingest's report against the collector's")
                .isEqualTo(TlsrptReports.withoutHelo(policies)));
    }

    /**
     * Postfix 3.10's {@code smtp_tlsrpt_skip_reused_handshakes} defaults to yes (3.11: no): a second connection that
     * resumes the first one's TLS session (the sender's session cache) is not reported. The collector alone counts
     * one session; log ingest counts both, the resumed one from its {@code TLS connection established} line. Over
     * one store, log ingest with {@code tlsrpt.socket} set adds exactly the session no datagram reported.
     */
    @Test
    void postfix310ReportsNoResumedHandshakeWhichLogIngestCountsBesideTheCollector() throws IOException {
        CollectorSetup collector = CollectorSetup.create("");
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        SendingPostfix sender;
        List<String> log;
        try (TlsrptCollector running = TlsrptCollector.start(collector.config(), collector.socket())) {
            Map<String, String> settings = new HashMap<>(collector.senderSettings());
            settings.put("smtp_tls_session_cache_database", "btree:${data_directory}/smtp_scache");
            sender = world.newSender(PostfixBuild.withTlsrpt("3.10.13"),
                    daemon.table(TlsrptPostfixDeliveryTest.RPT.name()), settings);
            try {
                // one after the other, so that the second connection finds the first one's session in the cache
                for (int i = 0; i < 2; i++) {
                    Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("good.test"));
                    assertThat(delivery.sent()).as(delivery.toString()).isTrue();
                }
            } finally {
                sender.close();
            }
            log = sender.log();
            List<String> handshakes = log.stream()
                    .filter(line -> line.contains("Verified TLS connection established to mx.good.test")).toList();
            assertThat(handshakes).hasSize(2);
            // a resumed TLS 1.3 session authenticates no certificate again: no server signature
            assertThat(handshakes.get(0)).contains("server-signature");
            assertThat(handshakes.get(1)).doesNotContain("server-signature");
            assertThat(tlsrptLines(log, "good.test")).as("the datagrams Postfix sent").hasSize(1);
            Waits.until("the datagram in the collector's store", Waits.GENEROUS,
                    () -> TlsrptReports.sessions(collector.config(), day) == 1);
        }
        assertSameDay(day);

        JsonNode collected = TlsrptReports.policies(collector.config(), day, collector.dir().resolve("reports"))
                .get("good.test");
        assertThat(collected.at("/0/summary/total-successful-session-count").asLong()).isEqualTo(1);

        Path logOnly = logIngestConfig("");
        ingest(logOnly, sender.maillog());
        JsonNode ingested = TlsrptReports.policies(logOnly, day, logOnly.resolveSibling("reports")).get("good.test");
        assertThat(ingested.at("/0/summary/total-successful-session-count").asLong()).isEqualTo(2);

        ingest(collector.config(), sender.maillog());
        JsonNode both = TlsrptReports.policies(collector.config(), day, collector.dir().resolve("reports-both"))
                .get("good.test");
        assertThat(both).as("collector and log ingest over one store").isEqualTo(ingested);
        assertThat(collected.at("/0/policy")).isEqualTo(ingested.at("/0/policy"));
    }

    /**
     * RFC 8460 §5.3 (issue 16, item 4): our report mail must not cause reports itself. It carries
     * {@code TLS-Required: No}, and Postfix 3.11 with TLSRPT on, our submission path here, then sends no datagram
     * for its delivery, while it does for an ordinary mail to the same destination.
     */
    @Test
    void ourReportMailThroughPostfix311CausesNoDatagram() throws IOException {
        CollectorSetup collector = CollectorSetup.create("");
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        List<String> log;
        try (TlsrptCollector running = TlsrptCollector.start(collector.config(), collector.socket())) {
            SendingPostfix submission = world.newSender(PostfixBuild.withTlsrpt("3.11.6"),
                    daemon.table(TlsrptPostfixDeliveryTest.RPT.name()), collector.senderSettings(),
                    List.of(SUBMISSION + " inet n - n - - smtpd"));
            try {
                // reports.test publishes a TLSRPT record: an ordinary mail's session there is reported
                Delivery ordinary = submission.sendAndAwait(SendingPostfix.uniqueRecipient("reports.test"));
                assertThat(ordinary.sent()).as(ordinary.toString()).isTrue();
                Waits.until("the ordinary mail's datagram in the collector's store", Waits.GENEROUS,
                        () -> TlsrptReports.sessions(collector.config(), day) == 1);

                Path sendConfig = TlsrptEndToEndTest.writeConfig(world, collector.dir().resolve("send"),
                        collector.dir().resolve("cache.db"), "127.0.0.1", SUBMISSION_PORT, "");
                Commands.Result send = Commands.mtasts(List.of("faketime", "-f", "+1d"),
                        Map.of("FAKETIME_DONT_FAKE_MONOTONIC", "1"), "tlsrpt", "send", "--day", day.toString(),
                        "-c", sendConfig.toString());
                assertThat(send.exitCode()).as(send.describe()).isZero();
                Delivery report = Waits.until("the report mail's delivery", Waits.GENEROUS,
                        () -> Delivery.firstAttempt(submission.log(), DnsServer.TLSRPT_RUA.substring("mailto:".length())));
                assertThat(report.sent()).as(report.toString()).isTrue();
                Waits.until("the report mail in the reports.test Maildir", Waits.GENEROUS,
                        () -> !world.messagesContaining("reports.test", "TLS-Report-Domain: reports.test").isEmpty());
            } finally {
                // every datagram the sender sent is in the collector's socket once it has stopped
                submission.close();
            }
            log = submission.log();
        }

        Delivery report = Delivery.firstAttempt(log, DnsServer.TLSRPT_RUA.substring("mailto:".length())).orElseThrow();
        assertThat(report.logged("TLS connection established")).as(report.toString()).isTrue();
        assertThat(report.logged("TLSRPT:")).as(report.toString()).isFalse();
        assertThat(tlsrptLines(log, null)).as("the ordinary mail's session only").hasSize(1);
        assertThat(TlsrptReports.sessions(collector.config(), day)).isEqualTo(1);
    }

    /**
     * DANE in the datagrams (issue 16, item 4 of the proof): what Postfix 3.11 reports for its DANE sessions, a
     * {@code tlsa} policy whose policy domain is the MX host (the TLSA base domain) and whose strings are the TLSA
     * records, is counted for the next hop under that host's records, as log ingest with {@code tlsrpt.dane: on}
     * counts them. Postfix reports nothing where it never connects: the bogus TLSA RRset ends the attempt at the
     * policy lookup, and only log ingest counts that {@code dnssec-invalid} session.
     */
    @Test
    void daneSessionsAreCountedUnderTheMxHostsTlsaRecordsAsLogIngestCountsThem() throws IOException {
        CollectorSetup collector = CollectorSetup.create("  dane: \"on\"\n");
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        SendingPostfix sender;
        List<String> log;
        try (TlsrptCollector running = TlsrptCollector.start(collector.config(), collector.socket())) {
            Map<String, String> settings = new HashMap<>(collector.senderSettings());
            settings.put("smtp_tls_security_level", "dane");
            sender = world.newDaneSender(PostfixBuild.withTlsrpt("3.11.6"), "", settings);
            try {
                Map<String, Boolean> sentByDomain = Map.of("ee.dane.test", true, "mismatch.dane.test", false,
                        "tlsa.bogus.test", false);
                Map<String, String> recipients = new HashMap<>();
                sentByDomain.keySet().forEach(d -> recipients.put(d, SendingPostfix.uniqueRecipient(d)));
                recipients.values().forEach(sender::send);
                recipients.forEach((domain, recipient) -> {
                    Delivery delivery = sender.awaitFirstAttempt(recipient);
                    assertThat(delivery.sent()).as(delivery.toString()).isEqualTo(sentByDomain.get(domain));
                });
            } finally {
                sender.close();
            }
            log = sender.log();
            long reported = tlsrptLines(log, null).size();
            Waits.until(reported + " sessions in the collector's store", Waits.GENEROUS,
                    () -> TlsrptReports.sessions(collector.config(), day) == reported);
        }
        assertSameDay(day);
        assertThat(tlsrptLines(log, "tlsa.bogus.test")).isEmpty();

        Map<String, JsonNode> collected = TlsrptReports.policies(collector.config(), day,
                collector.dir().resolve("reports"));
        assertThat(collected.keySet()).containsExactlyInAnyOrder("ee.dane.test", "mismatch.dane.test");
        JsonNode matching = onlyPolicy(collected.get("ee.dane.test"));
        assertTlsaPolicy(matching, "ee.dane.test");
        assertThat(matching.at("/summary/total-successful-session-count").asLong())
                .isEqualTo(tlsrptLines(log, "ee.dane.test").size());
        assertThat(matching.at("/summary/total-failure-session-count").asLong()).isZero();
        JsonNode mismatch = onlyPolicy(collected.get("mismatch.dane.test"));
        assertTlsaPolicy(mismatch, "mismatch.dane.test");
        assertThat(mismatch.at("/summary/total-successful-session-count").asLong()).isZero();
        assertThat(mismatch.get("failure-details")).hasSize(1);
        JsonNode detail = mismatch.at("/failure-details/0");
        // what Postfix reports for a certificate that no TLSA record matches (log: num=65:no matching DANE TLSA
        // records); tlsa-invalid is for the records themselves (RFC 8460 §4.3.2.1)
        assertThat(detail.path("result-type").asText()).isEqualTo("certificate-not-trusted");
        assertThat(detail.path("receiving-mx-hostname").asText()).isEqualTo("mx.mismatch.dane.test");
        assertThat(detail.path("receiving-ip").asText()).isEqualTo("127.0.1.34");
        assertThat(detail.path("receiving-mx-helo").asText()).isEqualTo(MX_HELO);
        assertThat(detail.path("failed-session-count").asLong())
                .isEqualTo(tlsrptLines(log, "mismatch.dane.test").size());

        Path logOnly = logIngestConfig("  dane: \"on\"\n");
        ingest(logOnly, sender.maillog());
        Map<String, JsonNode> ingested = TlsrptReports.policies(logOnly, day, logOnly.resolveSibling("reports"));
        assertThat(ingested.keySet()).containsExactlyInAnyOrder("ee.dane.test", "mismatch.dane.test",
                "tlsa.bogus.test");
        collected.forEach((domain, policies) -> assertThat(TlsrptReports.withoutHelo(ingested.get(domain)))
                .as(domain + ": log ingest's report against the collector's")
                .isEqualTo(TlsrptReports.withoutHelo(policies)));
        JsonNode bogus = onlyPolicy(ingested.get("tlsa.bogus.test"));
        assertThat(bogus.at("/policy/policy-type").asText()).isEqualTo("tlsa");
        assertThat(bogus.at("/failure-details/0/result-type").asText()).isEqualTo("dnssec-invalid");
        assertThat(bogus.at("/summary/total-failure-session-count").asLong()).isEqualTo(log.stream()
                .filter(line -> line.contains("TLS policy lookup for tlsa.bogus.test/")).count());

        // over one store, log ingest adds the session no datagram reported and nothing else
        ingest(collector.config(), sender.maillog());
        Map<String, JsonNode> both = TlsrptReports.policies(collector.config(), day,
                collector.dir().resolve("reports-both"));
        assertThat(both.keySet()).isEqualTo(ingested.keySet());
        collected.forEach((domain, policies) -> assertThat(both.get(domain)).as(domain).isEqualTo(policies));
        assertThat(both.get("tlsa.bogus.test")).isEqualTo(ingested.get("tlsa.bogus.test"));
    }

    private static void assertTlsaPolicy(JsonNode policy, String domain) {
        assertThat(policy.at("/policy/policy-type").asText()).as(policy.toString()).isEqualTo("tlsa");
        assertThat(policy.at("/policy/policy-domain").asText()).isEqualTo(domain);
        assertThat(policy.at("/policy/mx-host").toString()).isEqualTo("[\"mx." + domain + "\"]");
        assertThat(policy.at("/policy/policy-string")).hasSize(1);
        // Postfix sends the hex in upper case; the report keeps the lower case log ingest's lookup gives
        assertThat(policy.at("/policy/policy-string/0").asText()).matches("3 1 1 [0-9a-f]{64}");
    }

    private static JsonNode onlyPolicy(JsonNode policies) {
        assertThat(policies).as(policies.toString()).hasSize(1);
        return policies.get(0);
    }

    /** Checks {@code policies}, the report about {@code domain}, against the {@code TLSRPT:} lines Postfix logged. */
    private static void assertReportSays(JsonNode policies, String domain, List<String> lines) {
        TestDomain d = TestZone.domain(domain);
        assertThat(lines).as(domain + "'s sessions").isNotEmpty();
        assertThat(policies).as(domain).hasSize(1);
        JsonNode policy = policies.get(0);
        assertThat(policy.at("/policy/policy-domain").asText()).isEqualTo(domain);
        if (d.publication() == TestDomain.Publication.NONE) {
            assertThat(policy.at("/policy/policy-type").asText()).as(domain).isEqualTo("no-policy-found");
            assertThat(policy.at("/policy/policy-string").isMissingNode()).as(policy.toString()).isTrue();
        } else {
            assertThat(policy.at("/policy/policy-type").asText()).as(domain).isEqualTo("sts");
            assertThat(texts(policy.at("/policy/policy-string"))).as(domain)
                    .isEqualTo(Arrays.asList(d.policyText().split("\n")));
            assertThat(texts(policy.at("/policy/mx-host"))).as(domain).isEqualTo(d.policyMx());
        }
        String failureType = lines.get(0).contains("status=success") ? null
                : lines.get(0).replaceAll(".*failure_type=([a-z_]+).*", "$1").replace('_', '-');
        assertThat(lines).as(domain + ": every session ended alike").allMatch(line -> failureType == null
                ? line.contains("status=success") : line.contains("failure_type=" + failureType.replace('-', '_')));
        long successes = failureType == null ? lines.size() : 0;
        assertThat(policy.at("/summary/total-successful-session-count").asLong()).as(domain).isEqualTo(successes);
        assertThat(policy.at("/summary/total-failure-session-count").asLong()).as(domain)
                .isEqualTo(lines.size() - successes);
        if (failureType == null) {
            assertThat(policy.has("failure-details")).as(policy.toString()).isFalse();
            return;
        }
        assertThat(failureType).as(domain).isEqualTo(expectedFailure(domain));
        assertThat(policy.get("failure-details")).as(policy.toString()).hasSize(1);
        JsonNode detail = policy.at("/failure-details/0");
        assertThat(detail.path("result-type").asText()).isEqualTo(failureType);
        assertThat(detail.path("sending-mta-ip").asText()).isEqualTo("127.0.0.1");
        assertThat(detail.path("receiving-mx-hostname").asText()).isEqualTo(d.mxHost());
        assertThat(detail.path("receiving-ip").asText()).isEqualTo(d.mxAddress());
        assertThat(detail.path("receiving-mx-helo").asText()).as(detail.toString()).isEqualTo(MX_HELO);
        String reason = lines.get(0).contains("failure_reason=")
                ? lines.get(0).replaceAll(".*failure_reason=([^,]+).*", "$1") : null;
        if (reason == null) {
            assertThat(detail.has("failure-reason-code")).as(detail.toString()).isFalse();
        } else {
            assertThat(detail.path("failure-reason-code").asText()).as(detail.toString()).isEqualTo(reason);
        }
        assertThat(detail.path("failed-session-count").asLong()).isEqualTo(lines.size());
    }

    /** The result type Postfix 3.11 gives each failing scenario (libtlsrpt's codes, smtp_proto.c's choice). */
    private static String expectedFailure(String domain) {
        return switch (domain) {
            case "wrongname.test" -> "certificate-host-mismatch";
            case "selfsigned.test", "untrusted.test" -> "validation-failure";
            case "nostarttls.test" -> "starttls-not-supported";
            default -> throw new IllegalArgumentException("no failure expected for " + domain);
        };
    }

    /** Postfix's {@code TLSRPT: status=} lines (one per datagram it sent), of {@code domain} or of all when null. */
    static List<String> tlsrptLines(List<String> log, String domain) {
        return log.stream().filter(line -> line.contains(" TLSRPT: status=")
                && (domain == null || line.contains(", domain=" + domain + ","))).toList();
    }

    private static void ingest(Path config, Path maillog) {
        Commands.Result ingest = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "ingest", "-c", config.toString(),
                maillog.toString());
        assertThat(ingest.exitCode()).as(ingest.describe()).isZero();
    }

    private static void assertSameDay(LocalDate day) {
        if (!LocalDate.now(ZoneOffset.UTC).equals(day)) {
            // traffic straddling midnight would be split over two reports; start again from a clean world
            throw new IllegalStateException("the UTC day changed during the traffic; rerun the test");
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
