package io.github.mtasts.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "mtasts", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        subcommands = {LintCommand.class, ConfigCommand.class, CheckCommand.class, TlsrptCommand.class,
                MilterCommand.class, BenchCommand.class},
        description = "MTA-STS policy resolver for Postfix and TLSRPT reporting.")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The whole CLI; commands that run services get their runners here, so tests can build the same tree. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        cli.addSubcommand(new DaemonCommand(new ResolverDaemonRunner(err)));
        cli.addSubcommand(new QueryCommand(new PolicyQuery(out, err)));
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
