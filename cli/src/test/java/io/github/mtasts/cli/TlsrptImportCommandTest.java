package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.tlsrpt.inbound.InboundReport;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TlsrptImportCommandTest {

    /** The real reports the tlsrpt module's tests use. */
    private static final Path SAMPLES = Path.of("..", "tlsrpt", "src", "test", "resources", "tlsrpt");

    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, "cache:\n  type: sqlite\n  options:\n    filename: " + dir.resolve("cache.db") + "\n");
        return config;
    }

    /** Runs the command line as {@code bin/mtasts} does, through Main's tree. */
    private static CommandRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CommandRun(exit, out.toString(), err.toString());
    }

    @Test
    void importsRealReportsIntoTheConfiguredDatabaseAndCountsDuplicates() throws Exception {
        Path config = config();
        String microsoft = SAMPLES.resolve("microsoft-2025-06-14-sts-policy-fetch-error.json").toString();
        String eml = SAMPLES.resolve("google-digilicious-2022-01-09.eml").toString();

        CommandRun first = run("tlsrpt", "import", "-c", config.toString(), microsoft, eml);
        CommandRun again = run("tlsrpt", "import", "-c", config.toString(), microsoft);

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).contains("imported: 2\n", "duplicates: 0\n", "rejected: 0\n");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("imported: 0\n", "duplicates: 1\n");
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("cache.db"))) {
            assertThat(store.reports()).extracting(InboundReport::organizationName)
                    .containsExactly("Google Inc.", "Microsoft Corporation");
        }
    }

    @Test
    void rejectedReportIsNamedWithItsReasonAndExitsOne() throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"organization-name\": \"Example\"}");

        CommandRun result = run("tlsrpt", "import", "-c", config().toString(), broken.toString());

        assertThat(result.exitCode()).isEqualTo(TlsrptImportCommand.SOME_REJECTED);
        assertThat(result.err()).contains("rejected " + broken + ": report-id: expected a non-empty string, missing");
        assertThat(result.out()).contains("rejected: 1\n");
    }

    /** A report mail of about 1 MiB: the gzipped report and an attachment of padding, as Maildir backups have. */
    private static void reportMessage(OutputStream out, int n, String padding) throws IOException {
        String json = ("{\"organization-name\":\"Bulk Sender\",\"report-id\":\"bulk-%d\",\"contact-info\":"
                + "\"tlsrpt@bulk.example\",\"date-range\":{\"start-datetime\":\"2024-05-01T00:00:00Z\","
                + "\"end-datetime\":\"2024-05-01T23:59:59Z\"},\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
                + "\"policy-domain\":\"example.com\"},\"summary\":{\"total-successful-session-count\":%d,"
                + "\"total-failure-session-count\":0}}]}").formatted(n, n);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gz)) {
            gzip.write(json.getBytes(StandardCharsets.UTF_8));
        }
        String message = "From noreply@bulk.example Mon May  2 06:00:00 2024\n"
                + "From: noreply@bulk.example\nTo: tlsrpt@example.com\nSubject: Report " + n + "\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"b\"\n\n--b\n"
                + "Content-Type: text/plain\n\n>From the sender: a quoted mboxrd line.\n--b\n"
                + "Content-Type: application/tlsrpt+gzip\nContent-Disposition: attachment; filename=\"r" + n
                + ".json.gz\"\nContent-Transfer-Encoding: base64\n\n"
                + Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(gz.toByteArray())
                + "\n--b\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"chart.png\"\n"
                + "Content-Transfer-Encoding: base64\n\n";
        out.write(message.getBytes(StandardCharsets.US_ASCII));
        out.write(padding.getBytes(StandardCharsets.US_ASCII));
        out.write("\n--b--\n\n".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * An mbox of 250 MiB in the real {@code mtasts tlsrpt import} process with a 64 MiB heap: read whole it could
     * not fit; streamed, every report is stored and the one message over milter.max_message_size is skipped by name.
     */
    @Test
    @Timeout(600)
    void mboxOfHundredsOfMegabytesIsImportedWithASmallHeap() throws Exception {
        int reports = 240;
        byte[] random = new byte[768 * 1024];
        new Random(17).nextBytes(random);
        String padding = Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(random);
        Path mbox = dir.resolve("Reports.mbox");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(mbox), 1 << 16)) {
            for (int n = 1; n <= reports; n++) {
                reportMessage(out, n, padding);
                if (n == 120) {
                    // one message of 8 MiB, over the 4 MiB limit configured below
                    out.write("From big@example.net Mon May  2 06:00:00 2024\nFrom: big@example.net\nSubject: big\n\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 8; i++) {
                        out.write(padding.getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        assertThat(Files.size(mbox)).isGreaterThan(250L << 20);
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, "cache:\n  type: sqlite\n  options:\n    filename: " + dir.resolve("cache.db")
                + "\nmilter:\n  max_message_size: " + (4 << 20) + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "tlsrpt", "import", "-c", config.toString(), mbox.toString())
                .redirectOutput(dir.resolve("import.out").toFile())
                .redirectError(dir.resolve("import.err").toFile())
                .start();
        int exit = process.waitFor();
        String out = Files.readString(dir.resolve("import.out"));
        String err = Files.readString(dir.resolve("import.err"));

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(TlsrptImportCommand.SOME_REJECTED);
        assertThat(out).as("stderr: %s", err.substring(0, Math.min(err.length(), 3000)))
                .contains("imported: " + reports + "\n", "rejected: 0\n", "messages skipped: 1\n");
        assertThat(err).contains("skipped " + mbox + " message 121: message of ").contains(" bytes exceeds the limit of "
                + (4 << 20) + " bytes; skipped").doesNotContain("OutOfMemoryError");
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("cache.db"))) {
            List<InboundReport> stored = store.reports();
            assertThat(stored).hasSize(reports);
            assertThat(stored).extracting(InboundReport::reportId).contains("bulk-1", "bulk-120", "bulk-" + reports);
        }
    }

    @Test
    void rejectedLinesShowControlCharactersFromAttachmentNamesEscaped() throws Exception {
        Path eml = dir.resolve("evil.eml");
        Files.writeString(eml, "From: a@example.net\nTo: tlsrpt@example.com\nSubject: x\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"b\"\n\n--b\n"
                + "Content-Type: application/tlsrpt+gzip\n"
                + "Content-Disposition: attachment; filename=\"r\u001b[31m.json.gz\"\n\nnot gzip\n--b--\n");

        CommandRun result = run("tlsrpt", "import", "-c", config().toString(), eml.toString());

        assertThat(result.err()).contains("rejected " + eml + ": " + eml + " (r\\x1b[31m.json.gz): application/tlsrpt+gzip"
                + " part is neither gzip nor JSON").doesNotContain("\u001b");
    }

    @Test
    void badConfigurationExitsTwo() throws Exception {
        Path config = dir.resolve("bad.yml");
        Files.writeString(config, "milter:\n  prot: 1\n");

        CommandRun result = run("tlsrpt", "import", "-c", config.toString(), dir.toString());

        assertThat(result.exitCode()).isEqualTo(TlsrptImportCommand.ERROR);
        assertThat(result.err()).contains("milter.prot: unknown key");
    }

    @Test
    void unopenableStoreExitsTwo() throws Exception {
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, "cache:\n  type: sqlite\n  options:\n    filename: " + dir.resolve("missing/dir/cache.db") + "\n");

        CommandRun result = CommandRun.of(new TlsrptImportCommand(List.of()), "-c", config.toString(),
                SAMPLES.resolve("parsedmarc-mail.ru.json").toString());

        assertThat(result.exitCode()).isEqualTo(TlsrptImportCommand.ERROR);
        assertThat(result.err()).contains("cannot open inbound report database");
    }
}
