package io.github.mtasts.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine;

@Command(name = "mtasts", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        subcommands = {LintCommand.class, ConfigCommand.class, CheckCommand.class, TlsrptCommand.class,
                MilterCommand.class},
        description = "MTA-STS policy resolver for Postfix and TLSRPT reporting.")
public final class Main implements Runnable {

    private static final String DAEMON = "daemon";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(DAEMON)) {
            System.exit(daemonCommandLine().execute(Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * {@code mtasts daemon} (and so {@code mta-sts-daemon}) alone: picocli reads the annotations of every command in
     * a tree it builds, and the whole tree cost the daemon a third of a second before its first answer.
     */
    static CommandLine daemonCommandLine() {
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cli = new CommandLine(new DaemonCommand(new ResolverDaemonRunner(err)));
        cli.setErr(err);
        cli.setCommandName("mtasts " + DAEMON);
        return cli;
    }

    /** The whole CLI; commands that run services get their runners here, so tests can build the same tree. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        cli.addSubcommand(new DaemonCommand(new ResolverDaemonRunner(err)));
        cli.addSubcommand(new QueryCommand(new PolicyQuery(out, err)));
        cli.addSubcommand(CacheCommand.commandLine(CacheContext.DEFAULT));
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
