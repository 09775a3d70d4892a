package io.github.mtasts.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mtasts cache}: what the policy store holds, why, and how to make the daemon fetch again. The subcommands
 * work on the configured store whether a daemon runs or not, and tell a running daemon through its HTTP listener
 * ({@link DaemonAdmin}) to re-read what they changed.
 */
@Command(name = "cache", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Inspect and steer the policy store: list, show, purge, refresh, export.")
public final class CacheCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** The command with its subcommands, each given {@code context} (tests pass their own). */
    static CommandLine commandLine(CacheContext context) {
        CommandLine cache = new CommandLine(new CacheCommand());
        cache.addSubcommand(new CacheListCommand(context));
        cache.addSubcommand(new CacheShowCommand(context));
        cache.addSubcommand(new CachePurgeCommand(context));
        cache.addSubcommand(new CacheRefreshCommand(context));
        cache.addSubcommand(new CacheExportCommand(context));
        return cache;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
