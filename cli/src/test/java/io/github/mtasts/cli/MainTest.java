package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void everyCommandAnswersHelpWithItsOwnUsage() {
        List<List<String>> commands = new ArrayList<>();
        collect(Main.commandLine(), List.of(), commands);
        assertThat(commands).contains(List.of(), List.of("lint", "policy"), List.of("lint", "txt"), List.of("daemon"),
                List.of("query"), List.of("config", "check"), List.of("tlsrpt", "ingest"));

        for (List<String> command : commands) {
            CommandLine cli = Main.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            List<String> args = new ArrayList<>(command);
            args.add("--help");

            int exitCode = cli.execute(args.toArray(String[]::new));

            String name = String.join(" ", command);
            assertThat(exitCode).as("mtasts %s --help: %s", name, err).isZero();
            assertThat(out.toString()).as("mtasts %s --help", name)
                    .startsWith(command.isEmpty() ? "Usage: mtasts " : "Usage: mtasts " + name + " ");
        }
    }

    private static void collect(CommandLine cli, List<String> path, List<List<String>> commands) {
        commands.add(path);
        cli.getSubcommands().forEach((name, sub) -> {
            List<String> subPath = new ArrayList<>(path);
            subPath.add(name);
            collect(sub, subPath, commands);
        });
    }

    private static String usage(CommandLine cli) {
        StringWriter out = new StringWriter();
        cli.usage(new PrintWriter(out, true));
        return out.toString();
    }
}
