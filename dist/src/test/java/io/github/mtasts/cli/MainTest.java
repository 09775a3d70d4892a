package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void daemonAloneHasTheUsageOfTheDaemonInTheWholeTree() {
        String alone = usage(Main.daemonCommandLine());
        String inTree = usage(Main.commandLine().getSubcommands().get("daemon"));

        assertThat(alone).startsWith("Usage: mtasts daemon ").isEqualTo(inTree);
    }

    @Test
    void daemonAloneRefusesAnUnknownOptionWithTheUsageExitCode() {
        CommandLine daemon = Main.daemonCommandLine();
        StringWriter err = new StringWriter();
        daemon.setErr(new PrintWriter(err, true));

        int exitCode = daemon.execute("--no-such-option");

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'", "Usage: mtasts daemon");
    }

    private static String usage(CommandLine cli) {
        StringWriter out = new StringWriter();
        cli.usage(new PrintWriter(out, true));
        return out.toString();
    }
}
