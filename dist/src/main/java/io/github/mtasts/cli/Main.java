package io.github.mtasts.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "mtasts", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        subcommands = {LintCommand.class, ConfigCommand.class},
        description = "MTA-STS policy resolver for Postfix and TLSRPT reporting.")
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
