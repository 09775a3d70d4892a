package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.daemon.DaneSetup;
import io.github.mtasts.resolver.dns.UntrustedResolverException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code mtasts config}: tools for the configuration file. */
@Command(name = "config", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Work with the configuration file.",
        subcommands = ConfigCommand.Check.class)
public final class ConfigCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code mtasts config check}: validates a file and prints the configuration in force. */
    @Command(name = "check", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
            description = "Validate the configuration and print it with every default filled in, as YAML.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:valid (printed on standard output)", "2:invalid (the reason on standard error)"})
    static final class Check implements Callable<Integer> {

        static final int INVALID = 2;

        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOption config = new ConfigOption();

        private final List<Path> defaultConfigs;

        Check() {
            this(ConfigLocation.DEFAULTS);
        }

        Check(List<Path> defaultConfigs) {
            this.defaultConfigs = List.copyOf(defaultConfigs);
        }

        @Override
        public Integer call() {
            Optional<Path> file = config.resolve(defaultConfigs);
            Configuration configuration;
            try {
                configuration = ConfigFiles.load(file);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("mtasts config check: " + e.getMessage());
                return INVALID;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(file.map(f -> "# " + f + ": valid; the configuration in force:")
                    .orElse("# no configuration file (looked for " + String.join(", ",
                            defaultConfigs.stream().map(Path::toString).toList()) + "); the built-in defaults:"));
            out.print(configuration.toYaml());
            out.flush();
            DaemonConfig daemon = configuration.daemon();
            if (daemon.anyZoneDane(DaneMode.ON) || daemon.anyZoneDane(DaneMode.AUTO)) {
                try {
                    DaneSetup.source(daemon, Duration.ofSeconds(1));
                } catch (UntrustedResolverException e) {
                    spec.commandLine().getErr().println("mtasts config check: warning: dane will be off in every"
                            + " zone: " + e.getMessage());
                }
            }
            return 0;
        }
    }
}
