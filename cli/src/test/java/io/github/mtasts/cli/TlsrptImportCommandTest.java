package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.tlsrpt.inbound.InboundReport;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
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
