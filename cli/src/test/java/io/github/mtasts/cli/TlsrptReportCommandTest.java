package io.github.mtasts.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tlsrpt report} in-process against dnsmasq, with the store's sessions of one day. */
class TlsrptReportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GOOD = "mail.example.net!good.test!1795824000!1795910399!001";

    @TempDir
    Path dir;

    private ReportingWorld world;

    @BeforeEach
    void start() throws Exception {
        world = new ReportingWorld(dir);
    }

    @AfterEach
    void stop() {
        world.close();
    }

    private CommandRun report(String... args) {
        return CommandRun.of(new TlsrptReportCommand(world.noDefaults(), ReportingWorld.CLOCK), args);
    }

    @Test
    void writesEveryDomainsReportAsJsonAndGzipAndPrintsDestinationsSendingNothing() throws Exception {
        Path out = dir.resolve("out");

        CommandRun run = report("-c", world.config.toString(), "--day", "2026-11-28", "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("good.test: report-id 2026-11-28_good.test@mail.example.net",
                "destinations: mailto:tlsrpt@good.test", "destinations: https://localhost:",
                "no destinations, no report is sent: ");
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).hasSize(6).contains(GOOD + ".json",
                    GOOD + ".json.gz");
        }
        JsonNode json = JSON.readTree(Files.readString(out.resolve(GOOD + ".json")));
        assertThat(json.path("report-id").asText()).isEqualTo("2026-11-28_good.test@mail.example.net");
        assertThat(json.path("policies").get(0).path("summary").path("total-failure-session-count").asLong())
                .isEqualTo(1);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(
                Files.readAllBytes(out.resolve(GOOD + ".json.gz"))))) {
            assertThat(JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8))).isEqualTo(json);
        }
        assertThat(world.mail.getReceivedMessages()).isEmpty();
        assertThat(world.posts).isEmpty();
    }

    @Test
    void domainOptionWritesThatDomainOnly() throws Exception {
        Path out = dir.resolve("one");

        CommandRun run = report("-c", world.config.toString(), "--day", "2026-11-28", "--domain", "GOOD.test",
                "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(GOOD + ".json", GOOD + ".json.gz");
        }
    }

    @Test
    void badInputExitsWithTwoAndSaysWhatIsWrong() throws Exception {
        Path out = dir.resolve("out");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        List<String[]> cases = List.of(
                new String[] {"--day", "2026-13-01", "--out", out.toString()},
                new String[] {"--day", "2026-11-28", "--domain", "unknown.test", "--out", out.toString()},
                new String[] {"--day", "2026-11-28", "--out", file.resolve("sub").toString()});
        List<String> messages = List.of("--day: expected a UTC day as YYYY-MM-DD, got \"2026-13-01\"",
                "--domain unknown.test: no sessions counted for it on 2026-11-28", "--out " + file.resolve("sub"));
        for (int i = 0; i < cases.size(); i++) {
            String[] args = cases.get(i);
            String[] withConfig = new String[args.length + 2];
            withConfig[0] = "-c";
            withConfig[1] = world.config.toString();
            System.arraycopy(args, 0, withConfig, 2, args.length);

            CommandRun run = report(withConfig);

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains(messages.get(i));
        }
    }

    @Test
    void configurationWithoutReportSectionIsRefusedNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("plain.yml"), "cache:\n  type: sqlite\n  options:\n"
                + "    filename: " + world.database + "\n");

        CommandRun run = report("-c", config.toString(), "--day", "2026-11-28", "--out", dir.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("tlsrpt.report: missing");
    }
}
