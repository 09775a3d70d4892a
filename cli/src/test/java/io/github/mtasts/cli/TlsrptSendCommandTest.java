package io.github.mtasts.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tlsrpt send} and {@code tlsrpt queue} in-process against dnsmasq, GreenMail and an HTTPS receiver. */
class TlsrptSendCommandTest {

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

    private CommandRun send(String... args) {
        return CommandRun.of(new TlsrptSendCommand(world.noDefaults(), ReportingWorld.CLOCK), args);
    }

    private CommandRun queue() {
        return CommandRun.of(new TlsrptQueueCommand(world.noDefaults(), ReportingWorld.CLOCK),
                "-c", world.config.toString());
    }

    @Test
    void sendsTheDayOnceAndARerunSendsNothingAgain() throws Exception {
        CommandRun first = send("-c", world.config.toString(), "--day", "2026-11-28");
        CommandRun second = send("-c", world.config.toString(), "--day", "2026-11-28");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("good.test -> mailto:tlsrpt@good.test: delivered at",
                "web.test -> https://localhost:", "none.test: report-id", "not sent: ");
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(world.mail.getReceivedMessages()).hasSize(1);
        assertThat(world.mail.getReceivedMessages()[0].getAllRecipients()[0].toString())
                .isEqualTo("tlsrpt@good.test");
        assertThat(world.posts.poll(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(world.posts).isEmpty();

        CommandRun queue = queue();
        assertThat(queue.exitCode()).as(queue.err()).isZero();
        assertThat(queue.out()).contains("2 delivered, 0 pending, 0 failed, 2 attempts",
                "2026-11-28 good.test -> mailto:tlsrpt@good.test: delivered at");
    }

    @Test
    void dryRunShowsDestinationsAndSendsAndStoresNothing() {
        CommandRun dry = send("-c", world.config.toString(), "--day", "2026-11-28", "--dry-run");

        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("mailto:tlsrpt@good.test: would send", "no destinations, no report is sent");
        assertThat(world.mail.getReceivedMessages()).isEmpty();
        assertThat(world.posts).isEmpty();
        assertThat(queue().out()).contains("0 delivered, 0 pending, 0 failed");

        send("-c", world.config.toString(), "--day", "2026-11-28");
        CommandRun after = send("-c", world.config.toString(), "--day", "2026-11-28", "--dry-run");
        assertThat(after.out()).contains("mailto:tlsrpt@good.test: delivered at");
    }

    @Test
    void relayDownLeavesTheDeliveryPendingAndExitsOne() {
        world.mail.stop();

        CommandRun run = send("-c", world.config.toString(), "--day", "2026-11-28");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("good.test -> mailto:tlsrpt@good.test: pending, 1 attempt, next at");
        assertThat(queue().out()).contains("1 delivered, 1 pending, 0 failed");
    }

    @Test
    void settlingRefusesADeliveryThatIsNotUncertainAndIncompleteOptions() {
        send("-c", world.config.toString(), "--day", "2026-11-28");
        String reportId = "2026-11-28_good.test@mail.example.net";
        String config = world.config.toString();

        CommandRun delivered = CommandRun.of(new TlsrptQueueCommand(world.noDefaults(), ReportingWorld.CLOCK),
                "-c", config, "--report-id", reportId, "--resend", "mailto:tlsrpt@good.test");
        CommandRun noId = CommandRun.of(new TlsrptQueueCommand(world.noDefaults(), ReportingWorld.CLOCK),
                "-c", config, "--resend", "mailto:tlsrpt@good.test");
        CommandRun both = CommandRun.of(new TlsrptQueueCommand(world.noDefaults(), ReportingWorld.CLOCK),
                "-c", config, "--report-id", reportId, "--resend", "mailto:tlsrpt@good.test",
                "--mark-delivered", "mailto:tlsrpt@good.test");

        assertThat(delivered.exitCode()).isEqualTo(1);
        assertThat(delivered.err()).contains("is not uncertain", "nothing changed");
        assertThat(noId.exitCode()).isEqualTo(2);
        assertThat(noId.err()).contains("--report-id ID with exactly one of --resend");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(queue().out()).contains("2 delivered, 0 pending, 0 failed, 2 attempts; 0 sending, 0 uncertain");
        assertThat(world.mail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void daysNotEndedOrMalformedOrPastRetentionAreRefused() {
        CommandRun today = send("-c", world.config.toString(), "--day", "2026-11-29");
        CommandRun malformed = send("-c", world.config.toString(), "--day", "yesterday");
        CommandRun old = send("-c", world.config.toString(), "--day", "2026-10-01");

        assertThat(today.exitCode()).isEqualTo(2);
        assertThat(today.err()).contains("--day 2026-11-29: the UTC day has not ended yet");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).contains("--day: expected a UTC day as YYYY-MM-DD, got \"yesterday\"");
        assertThat(old.exitCode()).isEqualTo(2);
        assertThat(old.err()).contains("older than tlsrpt.report.retention_days (14)");
        assertThat(world.mail.getReceivedMessages()).isEmpty();
    }
}
