package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.DaneDestinations;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.FailureFigures;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.IngestStats;
import io.github.mtasts.tlsrpt.aggregate.PolicyInForce;
import io.github.mtasts.tlsrpt.aggregate.SendingMtaIps;
import io.github.mtasts.tlsrpt.aggregate.SourceOffset;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.logs.CorruptGzipException;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.logs.SourceId;
import io.github.mtasts.tlsrpt.logs.StreamSource;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.DailyReports;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ingest of the real Postfix log fixtures into a real SQLite file. */
class IngestTest {
    static final List<String> FIXTURES = List.of("a-selfsigned-secure.log", "b-no-starttls-secure.log",
            "c-hostname-mismatch-secure.log", "d-verified-secure.log", "e-expired-secure.log", "f-policy-TEMP.log",
            "g-policy-NOTFOUND-fallback-may.log", "h-encrypt-no-starttls.log", "i-may-selfsigned.log",
            "j-encrypt-selfsigned.log", "jmilter-real-postfix.log", "k-policy-PERM.log", "l-secure-no-match.log",
            "m-verified-secure-loglevel2.log", "n-socketmap-server-down.log");
    private static final Clock CAPTURE = Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC);
    private static final LocalDate DAY = LocalDate.of(2026, 11, 29);
    private static final StsPolicy D_POLICY = StsPolicy.of(PolicyMode.ENFORCE, 86400,
            List.of(MxPattern.parse("mx.example.test")));
    private static final StsPolicy I_POLICY = StsPolicy.of(PolicyMode.TESTING, 86400,
            List.of(MxPattern.parse("mx.example.test")));

    @TempDir
    Path dir;

    private Path database() {
        return dir.resolve("cache.db");
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = IngestTest.class.getResourceAsStream("/postfix/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /postfix/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path allFixtures() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String name : FIXTURES) {
            all.append(fixture(name));
        }
        return Files.writeString(dir.resolve("mail.log"), all.toString());
    }

    private void servePolicies() {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database())) {
            Instant from = Instant.parse("2026-11-29T01:00:00Z");
            Instant until = Instant.parse("2026-11-29T02:00:00Z");
            policies.policyServed("d.example.test", D_POLICY, from, until);
            policies.policyServed("i.example.test", I_POLICY, from, until);
        }
    }

    private Ingest ingest(AggregateStore store, SqlitePolicyStore policies, int batchLines) {
        return ingest(store, policies, batchLines, Duration.ofDays(1));
    }

    private Ingest ingest(AggregateStore store, SqlitePolicyStore policies, int batchLines, Duration batchInterval) {
        return new Ingest(store,
                new PolicyInForce(policies::servedPolicies, policies::discoveryFailures, PolicyOverrides.NONE,
                        DaneDestinations.NONE,
                        new SendingMtaIps(List.of("192.0.2.1")), CAPTURE, Duration.ofMinutes(1)),
                new LogLineParser(ZoneOffset.UTC, CAPTURE),
                () -> new SessionTracker(s -> "tlsrpt@reports.example".equals(s.recipient()), 1000,
                        Duration.ofHours(1)),
                batchLines, batchInterval, Clock.systemUTC(), false);
    }

    private void importFile(Path log, int batchLines) throws IOException {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
             SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            ingest(store, policies, batchLines).importFile(log);
        }
    }

    /** Every count of the day and every line statistic, as comparable text. */
    private String everything() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            IngestStats stats = store.stats();
            return store.day(DAY).stream().map(DomainDay::toString).collect(Collectors.joining("\n"))
                    + "\nparsed=" + stats.parsedLines() + " rejected=" + new TreeMap<>(stats.rejected())
                    + " uncounted=" + stats.uncountedSessions();
        }
    }

    private Map<String, DomainDay> byDomain() {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            return store.day(DAY).stream().collect(Collectors.toMap(DomainDay::policyDomain, d -> d));
        }
    }

    @Test
    void realFixturesAreCountedPerDomainUnderThePolicyInForce() throws IOException {
        servePolicies();
        importFile(allFixtures(), 1000);
        Map<String, DomainDay> days = byDomain();
        assertThat(days.keySet()).containsExactlyInAnyOrder("a.example.test", "b.example.test", "c.example.test",
                "d.example.test", "e.example.test", "g.example.test", "h.example.test", "i.example.test",
                "j.example.test", "l.example.test", "m.example.test");
        assertCounts(days.get("d.example.test"), PolicyType.STS, 1, 0);
        assertThat(days.get("d.example.test").policy().policyHash()).isEqualTo(ServedPolicy.hashOf(D_POLICY));
        assertCounts(days.get("g.example.test"), PolicyType.NO_POLICY_FOUND, 1, 0);
        assertCounts(days.get("m.example.test"), PolicyType.NO_POLICY_FOUND, 1, 0);
        assertFailure(days.get("a.example.test"), ResultType.CERTIFICATE_NOT_TRUSTED, "self-signed certificate");
        assertFailure(days.get("b.example.test"), ResultType.STARTTLS_NOT_SUPPORTED, "");
        assertFailure(days.get("c.example.test"), ResultType.CERTIFICATE_HOST_MISMATCH, "num=62:hostname mismatch");
        assertFailure(days.get("e.example.test"), ResultType.CERTIFICATE_EXPIRED, "certificate has expired");
        assertFailure(days.get("h.example.test"), ResultType.STARTTLS_NOT_SUPPORTED, "");
        // testing mode: the mail went out over an untrusted connection, still a failure
        assertFailure(days.get("i.example.test"), ResultType.CERTIFICATE_NOT_TRUSTED, "");
        assertCounts(days.get("i.example.test"), PolicyType.STS, 0, 1);
        // encrypt without a policy: nothing asked for an authenticated server
        assertCounts(days.get("j.example.test"), PolicyType.NO_POLICY_FOUND, 1, 0);
        assertFailure(days.get("l.example.test"), ResultType.CERTIFICATE_HOST_MISMATCH, "num=62:hostname mismatch");
        assertThat(days.get("a.example.test").failureDetails().get(0).detail())
                .isEqualTo(new FailureKey(ResultType.CERTIFICATE_NOT_TRUSTED, "192.0.2.1", "127.0.0.1",
                        "127.0.0.1", "self-signed certificate"));
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            IngestStats stats = store.stats();
            // besides syslog lines the fixtures hold "# ..." comments, the socketmap exchange ("01:37:58 recv ..."),
            // message text of the milter scenario and blank lines
            List<String> all = Files.readString(dir.resolve("mail.log")).lines().toList();
            long blank = all.stream().filter(String::isBlank).count();
            long noTimestamp = all.stream()
                    .filter(l -> !l.isBlank() && !l.matches("[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d .*")).count();
            assertThat(noTimestamp).isGreaterThan(FIXTURES.size());
            assertThat(stats.rejected()).isEqualTo(blank == 0 ? Map.of(RejectReason.BAD_TIMESTAMP, noTimestamp)
                    : Map.of(RejectReason.BAD_TIMESTAMP, noTimestamp, RejectReason.EMPTY, blank));
            assertThat(stats.parsedLines()).isEqualTo(all.size() - noTimestamp - blank);
            // the jmilter scenario's plaintext deliveries go to a relay no policy names
            assertThat(stats.uncountedSessions()).isEqualTo(1);
            assertThat(stats.samples().stream().filter(s -> s.reason() == RejectReason.BAD_TIMESTAMP))
                    .hasSize(AggregateBatch.SAMPLES_PER_REASON)
                    .allSatisfy(s -> assertThat(s.text()).startsWith("# "));
        }
    }

    /**
     * The resolver started at 01:00 with {@code overrides}, finding the policy of d.example.test it had stored the day
     * before; the session of the d fixture follows at 01:37.
     */
    private void resolverWarmStart(PolicyOverrides overrides) throws Exception {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database())) {
            policies.save(CachedPolicy.fetched("d.example.test", "d1", D_POLICY,
                    Instant.parse("2026-11-28T12:00:00Z")));
            Clock start = Clock.fixed(Instant.parse("2026-11-29T01:00:00Z"), ZoneOffset.UTC);
            // closing waits for the store writes the warm start queued
            try (PolicyCache cache = new PolicyCache((domain, knownId) -> CompletableFuture.completedFuture(
                    new DiscoveryResult.NoPolicy("not asked")), policies, CacheSettings.defaults(), overrides, start)) {
                assertThat(cache.warmStart().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            }
        }
    }

    @Test
    void overriddenDomainsDayIsNotReportedUnderItsStoredPolicy() throws Exception {
        resolverWarmStart(PolicyOverrides.of(List.of(
                new PolicyOverride("d.example.test", PolicyOverride.Outcome.ENCRYPT, List.of()))));

        // the join is not told of the override here: what the resolver recorded must not name the policy either
        importFile(Files.writeString(dir.resolve("mail.log"), fixture("d-verified-secure.log")), 1000);

        assertCounts(byDomain().get("d.example.test"), PolicyType.NO_POLICY_FOUND, 1, 0);
    }

    @Test
    void warmStartedDomainsDayIsReportedUnderItsStoredPolicy() throws Exception {
        resolverWarmStart(PolicyOverrides.NONE);

        importFile(Files.writeString(dir.resolve("mail.log"), fixture("d-verified-secure.log")), 1000);

        assertCounts(byDomain().get("d.example.test"), PolicyType.STS, 1, 0);
        assertThat(byDomain().get("d.example.test").policy().policyHash()).isEqualTo(ServedPolicy.hashOf(D_POLICY));
    }

    private static void assertCounts(DomainDay day, PolicyType type, long successes, long failures) {
        assertThat(day.policy().type()).isEqualTo(type);
        assertThat(day.successes()).as(day.policyDomain() + " successes").isEqualTo(successes);
        assertThat(day.failures()).as(day.policyDomain() + " failures").isEqualTo(failures);
    }

    private static void assertFailure(DomainDay day, ResultType type, String reason) {
        assertThat(day.failures()).as(day.policyDomain()).isEqualTo(1);
        assertThat(day.successes()).as(day.policyDomain()).isZero();
        assertThat(day.failureDetails()).hasSize(1);
        assertThat(day.failureDetails().get(0).detail().resultType()).isEqualTo(type);
        assertThat(day.failureDetails().get(0).detail().failureReasonCode()).isEqualTo(reason);
    }

    @Test
    void sessionsAfterAPolicyFetchErrorAreReportedAsStsPolicyFetchErrorLikeMicrosoftsReport() throws IOException {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database())) {
            policies.discoveryFailure("broken.example", Instant.parse("2026-11-29T03:10:02Z"),
                    FailureType.POLICY_FETCH_ERROR, "https://mta-sts.broken.example/.well-known/mta-sts.txt: HTTP 404");
        }
        // one session before the failure, two after it: the first stays no-policy-found
        Path log = Files.writeString(dir.resolve("broken.log"), """
                Nov 29 01:05:11 sender postfix/smtp[4100]: Trusted TLS connection established to mx.broken.example[203.0.113.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256
                Nov 29 01:05:11 sender postfix/smtp[4100]: 3F1A2216001: to=<bob@broken.example>, relay=mx.broken.example[203.0.113.25]:25, delay=0.31, delays=0.02/0.01/0.2/0.08, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4B2C1)
                Nov 29 03:10:03 sender postfix/smtp[4211]: Trusted TLS connection established to mx.broken.example[203.0.113.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256
                Nov 29 03:10:03 sender postfix/smtp[4211]: 7D0E5216002: to=<carol@broken.example>, relay=mx.broken.example[203.0.113.25]:25, delay=0.29, delays=0.02/0.01/0.19/0.07, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 5C3D2)
                Nov 29 03:12:40 sender postfix/smtp[4230]: Trusted TLS connection established to mx.broken.example[203.0.113.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256
                Nov 29 03:12:40 sender postfix/smtp[4230]: 9A4B7216003: to=<dave@broken.example>, relay=mx.broken.example[203.0.113.25]:25, delay=0.3, delays=0.02/0.01/0.2/0.07, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 6D4E3)
                """);
        importFile(log, 1000);

        List<DomainDay> day;
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            day = store.day(DAY);
        }
        List<DailyReport> reports = DailyReports.of(day, domain -> List.of(), false);
        assertThat(reports).hasSize(1);
        TlsRptReport report = new ReportBuilder(new ReporterSettings("Example Mail", "tlsrpt@example.net",
                "mail.example.net")).build(reports.get(0));
        assertThat(report.json()).isEqualTo("{\"organization-name\":\"Example Mail\","
                + "\"date-range\":{\"start-datetime\":\"2026-11-29T00:00:00Z\","
                + "\"end-datetime\":\"2026-11-29T23:59:59Z\"},\"contact-info\":\"tlsrpt@example.net\","
                + "\"report-id\":\"2026-11-29_broken.example@mail.example.net\",\"policies\":["
                + "{\"policy\":{\"policy-type\":\"no-policy-found\",\"policy-domain\":\"broken.example\"},"
                + "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":0}},"
                + "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"broken.example\"},"
                + "\"summary\":{\"total-successful-session-count\":0,\"total-failure-session-count\":2},"
                + "\"failure-details\":[{\"result-type\":\"sts-policy-fetch-error\","
                + "\"sending-mta-ip\":\"192.0.2.1\",\"receiving-mx-hostname\":\"mx.broken.example\","
                + "\"receiving-ip\":\"203.0.113.25\",\"failed-session-count\":2}]}]}");
    }

    @Test
    void importingTheSameFileAgainCountsNothingTwice() throws IOException {
        Path log = allFixtures();
        importFile(log, 1000);
        String once = everything();
        importFile(log, 1000);
        assertThat(everything()).isEqualTo(once);
    }

    @Test
    void truncatedGzipIsCountedUpToItsBreakNamedAndNotCountedAgainByARerun() throws IOException {
        servePolicies();
        byte[] log = Files.readAllBytes(allFixtures());
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(compressed)) {
            gz.write(log);
        }
        byte[] whole = compressed.toByteArray();
        Path broken = Files.write(dir.resolve("mail.log.2.gz"), java.util.Arrays.copyOf(whole, whole.length * 2 / 3));

        assertThatThrownBy(() -> importFile(broken, 5)).isInstanceOf(CorruptGzipException.class)
                .hasMessageContaining(broken + ": corrupt or truncated gzip file")
                .extracting(e -> ((CorruptGzipException) e).path()).isEqualTo(broken);
        String once = everything();
        assertThat(once).contains("a.example.test");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            assertThat(store.offset(StreamSource.gzipId(broken)).orElseThrow().committed())
                    .as("committed up to the break").isBetween(1L, (long) log.length - 1);
        }

        assertThatThrownBy(() -> importFile(broken, 5)).isInstanceOf(CorruptGzipException.class);
        assertThat(everything()).isEqualTo(once);
    }

    @Test
    void linesAppendedLaterAreCountedByTheNextRun() throws IOException {
        Path log = allFixtures();
        importFile(log, 1000);
        Files.writeString(log, fixture("d-verified-secure.log"), StandardOpenOption.APPEND);
        importFile(log, 1000);
        assertThat(byDomain().get("d.example.test").successes()).isEqualTo(2);
        assertThat(byDomain().get("a.example.test").failures()).isEqualTo(1);
    }

    @Test
    void unterminatedLastLineWaitsForItsNewline() throws IOException {
        String d = fixture("d-verified-secure.log");
        int cut = d.indexOf("status=sent");
        Path log = Files.writeString(dir.resolve("mail.log"), d.substring(0, cut));
        importFile(log, 1);
        assertThat(byDomain()).isEmpty();
        Files.writeString(log, d.substring(cut), StandardOpenOption.APPEND);
        importFile(log, 1);
        assertThat(byDomain().get("d.example.test").successes()).isEqualTo(1);
    }

    @Test
    void ownReportMailIsNotCounted() throws IOException {
        String report = fixture("d-verified-secure.log")
                .replace("user-d-verified-secure@d.example.test", "tlsrpt@reports.example");
        importFile(Files.writeString(dir.resolve("mail.log"), report), 1000);
        assertThat(byDomain()).isEmpty();
    }

    @Test
    void standardInputIsCountedWithoutStoringAnOffset() throws IOException {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
             SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            ingest(store, policies, 3).importStream(
                    new ByteArrayInputStream(fixture("e-expired-secure.log").getBytes(StandardCharsets.UTF_8)));
            assertThat(store.offset(SourceId.STDIN)).isEmpty();
        }
        assertThat(byDomain().get("e.example.test").failures()).isEqualTo(1);
    }

    /**
     * The syslog lines of {@code text} as {@code journalctl -o json} prints them (systemd 252 field set), one
     * journald instance numbering them from {@code 0x1000}; lines that are not syslog lines are no journal entries.
     */
    static List<String> journalJson(String text) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC, CAPTURE);
        List<String> entries = new java.util.ArrayList<>();
        long seqnum = 0x1000;
        for (String line : text.lines().toList()) {
            if (!(parser.parse(line) instanceof io.github.mtasts.tlsrpt.logs.ParseResult.Parsed parsed)) {
                continue;
            }
            io.github.mtasts.tlsrpt.logs.LogLine l = parsed.line();
            long micros = l.time().getEpochSecond() * 1_000_000 + l.time().getNano() / 1_000;
            long monotonic = 5_000_000 + seqnum * 10;
            Map<String, Object> entry = new java.util.LinkedHashMap<>();
            entry.put("__CURSOR", "s=0b4c2a3e1c3f4f9c9d0f1b2a3c4d5e6f;i=" + Long.toHexString(seqnum)
                    + ";b=5f6e7d8c9b0a41b2a3c4d5e6f7a8b9c0;m=" + Long.toHexString(monotonic) + ";t="
                    + Long.toHexString(micros) + ";x=9f8e7d6c5b4a3921");
            entry.put("__REALTIME_TIMESTAMP", Long.toString(micros));
            entry.put("__MONOTONIC_TIMESTAMP", Long.toString(monotonic));
            entry.put("_BOOT_ID", "5f6e7d8c9b0a41b2a3c4d5e6f7a8b9c0");
            entry.put("PRIORITY", "6");
            entry.put("SYSLOG_FACILITY", "2");
            entry.put("_TRANSPORT", "syslog");
            entry.put("_SYSTEMD_UNIT", "postfix@-.service");
            entry.put("_HOSTNAME", l.host());
            entry.put("SYSLOG_IDENTIFIER", l.program());
            entry.put("SYSLOG_PID", Integer.toString(l.pid()));
            entry.put("_PID", Integer.toString(l.pid()));
            entry.put("MESSAGE", l.message());
            try {
                entries.add(json.writeValueAsString(entry));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            seqnum++;
        }
        return entries;
    }

    private void importJournal(List<String> entries) throws IOException {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
             SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            ingest(store, policies, 3).importJournal(SourceId.JOURNAL_STDIN, new ByteArrayInputStream(
                    (String.join("\n", entries) + "\n").getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void journalReadAgainWithOverlapCountsEachSessionOnceAndStoresTheLastCursor() throws IOException {
        servePolicies();
        List<String> entries = journalJson(Files.readString(allFixtures()));
        importJournal(entries);
        String once = everything();
        assertThat(once).contains("d.example.test").contains("parsed=");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            assertThat(store.offset(SourceId.JOURNAL_STDIN).orElseThrow().cursor())
                    .contains(";i=" + Long.toHexString(0x1000 + entries.size() - 1) + ";");
        }
        importJournal(entries);
        assertThat(everything()).as("the same entries again").isEqualTo(once);

        // a restart: the first run stopped two thirds in, journalctl repeats from one third
        Files.delete(database());
        Files.deleteIfExists(dir.resolve("cache.db-wal"));
        Files.deleteIfExists(dir.resolve("cache.db-shm"));
        servePolicies();
        int third = entries.size() / 3;
        importJournal(entries.subList(0, 2 * third));
        assertThat(everything()).isNotEqualTo(once);
        importJournal(entries.subList(third, entries.size()));
        assertThat(everything()).isEqualTo(once);
    }

    @Test
    void runInterruptedBeforeAnyCommitResumesToTheCountsOfOneCleanRun() throws IOException {
        servePolicies();
        Path log = allFixtures();
        importFile(log, 1);
        String clean = everything();
        long lines = Files.readString(log).lines().count();
        for (int crashAt = 1; crashAt < lines; crashAt += 7) {
            Files.delete(database());
            Files.deleteIfExists(dir.resolve("cache.db-wal"));
            Files.deleteIfExists(dir.resolve("cache.db-shm"));
            servePolicies();
            // batches of one line: a commit falls inside every multi-line session
            int failAt = crashAt;
            try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
                 SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
                AggregateStore crashing = new CrashingStore(store, failAt);
                assertThatThrownBy(() -> ingest(crashing, policies, 1).importFile(log))
                        .isInstanceOf(IllegalStateException.class);
            }
            importFile(log, 1);
            assertThat(everything()).as("crash before commit " + crashAt).isEqualTo(clean);
        }
    }

    @Test
    void followCountsGrowingAndRenameRotatedFilesAndResumesAfterAStop() throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, fixture("a-selfsigned-secure.log"));
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
             SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            // a follower commits by time: the log may stay quiet for long
            Ingest ingest = ingest(store, policies, 1000, Duration.ofMillis(10));
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread follower = new Thread(() -> {
                try {
                    ingest.follow(List.of(log), Duration.ofMillis(20), running::get);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            follower.start();
            awaitDomain("a.example.test");
            Files.writeString(log, fixture("d-verified-secure.log"), StandardOpenOption.APPEND);
            awaitDomain("d.example.test");
            // rename rotation: the old file's rest is read, then the new file from its start
            Files.writeString(log, fixture("e-expired-secure.log"), StandardOpenOption.APPEND);
            Files.move(log, dir.resolve("mail.log.1"));
            Files.writeString(log, fixture("g-policy-NOTFOUND-fallback-may.log"));
            awaitDomain("e.example.test");
            awaitDomain("g.example.test");
            running.set(false);
            follower.join(60_000);
            assertThat(follower.isAlive()).isFalse();
        }
        // stopped: lines written meanwhile are counted by the next run, nothing twice
        Files.writeString(log, fixture("h-encrypt-no-starttls.log"), StandardOpenOption.APPEND);
        importFile(log, 1000);
        Map<String, DomainDay> days = byDomain();
        assertThat(days.keySet()).containsExactlyInAnyOrder("a.example.test", "d.example.test", "e.example.test",
                "g.example.test", "h.example.test");
        assertThat(days.values()).allSatisfy(d -> assertThat(d.successes() + d.failures()).isEqualTo(1));
    }

    @Test
    void fileTruncatedAndRewrittenPastTheOldOffsetWhileStoppedIsCountedFromItsStart() throws IOException {
        Path log = Files.writeString(dir.resolve("mail.log"), fixture("a-selfsigned-secure.log"));
        importFile(log, 1000);
        long inode = SourceId.inode(log);
        String rewritten = fixture("d-verified-secure.log") + fixture("e-expired-secure.log");
        assertThat((long) rewritten.length()).isGreaterThan(Files.size(log));
        Files.writeString(log, rewritten, StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(SourceId.inode(log)).as("same file, rewritten in place").isEqualTo(inode);

        importFile(log, 1000);
        Map<String, DomainDay> days = byDomain();
        assertThat(days.keySet()).containsExactlyInAnyOrder("a.example.test", "d.example.test", "e.example.test");
        assertThat(days.values()).allSatisfy(d -> assertThat(d.successes() + d.failures()).isEqualTo(1));
        importFile(log, 1000);
        assertThat(byDomain()).isEqualTo(days);
    }

    @Test
    void followCountsAFileTruncatedAndRewrittenPastTheOldOffsetOnce() throws Exception {
        Path log = dir.resolve("mail.log");
        Files.writeString(log, fixture("a-selfsigned-secure.log"));
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database());
             SqliteAggregateStore store = SqliteAggregateStore.open(database())) {
            Ingest ingest = ingest(store, policies, 1000, Duration.ofMillis(10));
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread follower = new Thread(() -> {
                try {
                    ingest.follow(List.of(log), Duration.ofMillis(20), running::get);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            follower.start();
            awaitDomain("a.example.test");
            // one write: no poll can see the file shorter than what was read
            String rewritten = fixture("d-verified-secure.log") + fixture("e-expired-secure.log")
                    + fixture("g-policy-NOTFOUND-fallback-may.log");
            Files.writeString(log, rewritten, StandardOpenOption.TRUNCATE_EXISTING);
            awaitDomain("g.example.test");
            running.set(false);
            follower.join(60_000);
            assertThat(follower.isAlive()).isFalse();
        }
        importFile(log, 1000);
        Map<String, DomainDay> days = byDomain();
        assertThat(days.keySet()).containsExactlyInAnyOrder("a.example.test", "d.example.test", "e.example.test",
                "g.example.test");
        assertThat(days.values()).allSatisfy(d -> assertThat(d.successes() + d.failures()).isEqualTo(1));
    }

    @Test
    void fileRotatedWhileStoppedIsReadToItsEndWithItsPendingConnectionsFirst() throws IOException {
        String d = fixture("d-verified-secure.log");
        int delivery = d.indexOf("Nov 29 01:37:58 sender postfix-send/smtp[21117]: 8C291216058: to=");
        Path log = Files.writeString(dir.resolve("mail.log"), fixture("a-selfsigned-secure.log")
                + d.substring(0, delivery));
        importFile(log, 1000);
        assertThat(byDomain().keySet()).containsExactly("a.example.test");
        // another process's session written after our stop, then rotated away; the handshake of d's connection
        // is in the old file, its delivery line in the new one
        Files.writeString(log, fixture("i-may-selfsigned.log"), StandardOpenOption.APPEND);
        Files.move(log, dir.resolve("mail.log.1"));
        Files.writeString(log, d.substring(delivery) + fixture("g-policy-NOTFOUND-fallback-may.log"));
        importFile(log, 1000);
        Map<String, DomainDay> days = byDomain();
        assertThat(days.keySet()).containsExactlyInAnyOrder("a.example.test", "d.example.test", "i.example.test",
                "g.example.test");
        assertThat(days.get("d.example.test").successes()).isEqualTo(1);
        assertThat(days.values()).allSatisfy(day -> assertThat(day.successes() + day.failures()).isEqualTo(1));
        importFile(log, 1000);
        assertThat(byDomain()).isEqualTo(days);
    }

    /** Waits (bounded, to avoid a hang) until the follower committed a count for {@code domain}. */
    private void awaitDomain(String domain) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!byDomain().containsKey(domain) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(byDomain()).containsKey(domain);
    }

    /** Delegates until the n-th commit, which it drops and fails: the process died before committing. */
    private static final class CrashingStore implements AggregateStore {
        private final AggregateStore delegate;
        private int commitsLeft;

        CrashingStore(AggregateStore delegate, int failAt) {
            this.delegate = delegate;
            this.commitsLeft = failAt;
        }

        @Override
        public Optional<SourceOffset> offset(SourceId source) {
            return delegate.offset(source);
        }

        @Override
        public Map<SourceId, SourceOffset> offsets(String keyPrefix) {
            return delegate.offsets(keyPrefix);
        }

        @Override
        public void commit(AggregateBatch batch) {
            if (--commitsLeft == 0) {
                throw new IllegalStateException("simulated crash");
            }
            delegate.commit(batch);
        }

        @Override
        public List<DomainDay> day(LocalDate day) {
            return delegate.day(day);
        }

        @Override
        public FailureFigures figures() {
            return delegate.figures();
        }

        @Override
        public IngestStats stats() {
            return delegate.stats();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
