package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.tlsrpt.inbound.ReportIntake.Result;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportImporterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-15T08:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private SqliteInboundReportStore store;
    private SimpleMeterRegistry registry;
    private ReportImporter importer;

    @BeforeEach
    void open() {
        store = SqliteInboundReportStore.open(dir.resolve("cache.db"));
        registry = new SimpleMeterRegistry();
        importer = new ReportImporter(new ReportIntake(new ReportExtractor(1 << 20), store,
                new InboundMetrics(registry), CLOCK));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Path copy(String sample, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, Samples.bytes(sample));
        return file;
    }

    @Test
    void realJsonReportsAreStoredWithTheirFiguresAndDeviations() throws Exception {
        ReportImporter.Result result = importer.importPaths(List.of(
                copy(Samples.MICROSOFT, "microsoft.json"), copy(Samples.MAIL_RU, "mailru.json"),
                copy(Samples.PARSEDMARC_GOOGLE_STYLE, "example.json")));

        assertThat(result.count(Result.STORED)).isEqualTo(3);
        assertThat(result.unreadable()).isEmpty();
        List<InboundReport> stored = store.reports();
        assertThat(stored).extracting(InboundReport::organizationName)
                .containsExactly("Example Inc.", "Mail.ru", "Microsoft Corporation");
        InboundReport microsoft = stored.get(2);
        assertThat(microsoft.reportId()).isEqualTo("133944884956529435+");
        assertThat(microsoft.start()).isEqualTo(Instant.parse("2025-06-14T00:00:00Z"));
        assertThat(microsoft.end()).isEqualTo(Instant.parse("2025-06-14T23:59:59Z"));
        assertThat(microsoft.policies()).singleElement().satisfies(p -> {
            assertThat(p.policyDomain()).contains("xxxxxxxx.xx");
            assertThat(p.successfulSessions()).isZero();
            assertThat(p.failedSessions()).isEqualTo(3);
            assertThat(p.failures()).singleElement().satisfies(f -> {
                assertThat(f.resultType()).isEqualTo("sts-policy-fetch-error");
                assertThat(f.failedSessions()).isEqualTo(3);
            });
        });
        assertThat(microsoft.deviations()).containsExactly("policies[0].failure-details[0].sending-mta-ip is missing");
        InboundReport mailRu = stored.get(1);
        assertThat(mailRu.policies().get(0).failures()).extracting(InboundFailure::failureReasonCode)
                .containsExactly(Optional.of("bad https response code: 404"), Optional.of("bad https response code: 500"));
        assertThat(mailRu.deviations()).hasSize(5)
                .contains("policies[0].failure-details add up to 2 failed sessions but summary.total-failure-session-count is 1");
        InboundReport example = stored.get(0);
        assertThat(example.deviations()).isEmpty();
        assertThat(example.policies().get(0).policyString())
                .containsExactly("version: STSv1", "mode: testing", "mx: example.com", "max_age: 86400");
        assertThat(example.policies().get(0).failures()).extracting(InboundFailure::receivingIp)
                .containsOnly(Optional.of("173.212.201.41"));
        assertThat(registry.counter("mtasts.inbound.reports", "outcome", "stored").count()).isEqualTo(3);
        assertThat(registry.counter("mtasts.inbound.reports.received").count()).isEqualTo(3);
    }

    @Test
    void gzippedReportAndEmlMessageAreReadAndTheSameReportTwiceIsADuplicate() throws Exception {
        Path gz = dir.resolve("google.com!digilicious.com!1641686400!1641772799!001.json.gz");
        Files.write(gz, Samples.gzip(Samples.bytes(Samples.GOOGLE_DIGILICIOUS)));
        Path eml = copy(Samples.GOOGLE_DIGILICIOUS_EML, "report.eml");

        List<ReportIntake.Outcome> outcomes = new ArrayList<>();
        ReportImporter.Result result = importer.importPaths(List.of(gz, eml), outcomes::add);

        assertThat(outcomes).extracting(ReportIntake.Outcome::result).containsExactly(Result.STORED, Result.DUPLICATE);
        assertThat(result.count(Result.STORED)).isEqualTo(1);
        assertThat(result.count(Result.DUPLICATE)).isEqualTo(1);
        assertThat(store.reports()).singleElement().satisfies(r -> {
            assertThat(r.organizationName()).isEqualTo("Google Inc.");
            assertThat(r.successfulSessions()).isEqualTo(5);
            assertThat(r.failedSessions()).isZero();
        });
        assertThat(registry.counter("mtasts.inbound.reports", "outcome", "duplicate").count()).isEqualTo(1);
    }

    @Test
    void mboxIsSplitIntoMessagesAndOrdinaryMailIsCountedApart() throws Exception {
        ByteArrayOutputStream mbox = new ByteArrayOutputStream();
        mbox.write("From noreply-smtp-tls-reporting@google.com Mon Jan 10 09:59:10 2022\n".getBytes(StandardCharsets.US_ASCII));
        mbox.write(Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML));
        mbox.write("\nFrom alice@example.net Tue Jan 11 08:00:00 2022\n".getBytes(StandardCharsets.US_ASCII));
        mbox.write("From: alice@example.net\nSubject: hi\n\n>From the start, hello.\n".getBytes(StandardCharsets.US_ASCII));
        mbox.write("\nFrom noreply-smtp-tls-reporting@google.com Wed Sep  4 10:00:00 2024\n".getBytes(StandardCharsets.US_ASCII));
        mbox.write(Samples.bytes(Samples.GOOGLE_CARDINALHEALTH_EML));
        Path file = dir.resolve("Reports");
        Files.write(file, mbox.toByteArray());

        ReportImporter.Result result = importer.importPaths(List.of(file));

        assertThat(result.count(Result.STORED)).isEqualTo(2);
        assertThat(result.messagesWithoutReport()).isEqualTo(1);
        assertThat(store.reports()).extracting(InboundReport::reportId)
                .containsExactly("2022-01-09T00:00:00Z_digilicious.com", "2024-09-03T00:00:00Z_cardinalhealth.ca");
    }

    @Test
    void mboxMessageOverTheLimitIsSkippedAndNamedWhileTheOthersAreImported() throws Exception {
        byte[] report = Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML);
        ReportImporter small = new ReportImporter(new ReportIntake(new ReportExtractor(1 << 20), store,
                new InboundMetrics(registry), CLOCK), report.length + 100);
        ByteArrayOutputStream mbox = new ByteArrayOutputStream();
        mbox.write("From a@example.net Mon Jan 10 09:59:10 2022\n".getBytes(StandardCharsets.US_ASCII));
        mbox.write(("From: a@example.net\nSubject: big\n\n" + "x".repeat(report.length + 200) + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        mbox.write("From noreply-smtp-tls-reporting@google.com Mon Jan 10 09:59:10 2022\n".getBytes(StandardCharsets.US_ASCII));
        mbox.write(report);
        Path file = dir.resolve("Reports");
        Files.write(file, mbox.toByteArray());

        ReportImporter.Result result = small.importPaths(List.of(file));

        assertThat(result.count(Result.STORED)).isEqualTo(1);
        assertThat(result.skipped()).containsExactly(file + " message 1: message of " + (report.length + 235)
                + " bytes exceeds the limit of " + (report.length + 100) + " bytes; skipped");
    }

    @Test
    void reportFileOverTheReportLimitIsRejectedWithoutReadingItWhole() throws Exception {
        Path big = dir.resolve("big.json");
        Files.write(big, ("{\"organization-name\": \"" + "x".repeat(2 << 20) + "\"}").getBytes(StandardCharsets.US_ASCII));

        List<ReportIntake.Outcome> outcomes = new ArrayList<>();
        importer.importPaths(List.of(big), outcomes::add);

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.REJECTED);
            assertThat(o.detail()).isEqualTo(big + ": report larger than the limit of 1048576 bytes");
        });
        assertThat(registry.counter("mtasts.inbound.reports.over.limit", "limit", "report_bytes").count()).isEqualTo(1);
    }

    @Test
    void maildirMessagesInNewAndCurAreImported() throws Exception {
        Path maildir = dir.resolve("Maildir");
        Files.createDirectories(maildir.resolve("new"));
        Files.createDirectories(maildir.resolve("cur"));
        Files.createDirectories(maildir.resolve("tmp"));
        Files.write(maildir.resolve("new/1641808750.M1P1.mail"), Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML));
        Files.write(maildir.resolve("cur/1725440000.M2P2.mail:2,S"), Samples.bytes(Samples.GOOGLE_CARDINALHEALTH_EML));
        // a message still being delivered is not ours to read
        Files.write(maildir.resolve("tmp/1725440001.M3P3.mail"), Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML));

        ReportImporter.Result result = importer.importPaths(List.of(maildir));

        assertThat(result.count(Result.STORED)).isEqualTo(2);
        assertThat(result.count(Result.DUPLICATE)).isZero();
        assertThat(store.reports()).extracting(r -> r.policies().get(0).policyDomain().orElseThrow())
                .containsExactly("digilicious.com", "cardinalhealth.ca");
    }

    @Test
    void brokenReportIsRejectedWithItsReasonAndMissingPathIsUnreadable() throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"organization-name\": \"Example\", \"policies\": []}");

        List<ReportIntake.Outcome> outcomes = new ArrayList<>();
        ReportImporter.Result result = importer.importPaths(List.of(broken, dir.resolve("absent.json")), outcomes::add);

        assertThat(result.count(Result.REJECTED)).isEqualTo(1);
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.REJECTED);
            assertThat(o.detail()).isEqualTo("report-id: expected a non-empty string, missing");
        });
        assertThat(result.unreadable()).containsExactly(dir.resolve("absent.json") + ": no such file or directory");
        assertThat(store.reports()).isEmpty();
    }

    @Test
    void plainDirectoryIsNotTakenForAMaildir() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("reports"));

        ReportImporter.Result result = importer.importPaths(List.of(folder));

        assertThat(result.unreadable()).containsExactly(folder + ": a directory but not a Maildir (no cur/ or new/)");
    }
}
