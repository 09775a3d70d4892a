package io.github.mtasts.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code -v/--verbosity} and {@code -l/--logfile} options the commands share (a picocli mixin). Long-running
 * commands log at info by default, one-shot commands at warn, so each passes its default level.
 */
final class LoggingOptions {

    @Option(names = {"-v", "--verbosity"}, paramLabel = "LEVEL", converter = Verbosity.Converter.class,
            description = "Logging verbosity: debug, info, warn, error, fatal or crit (default: ${DEFAULT-VALUE}).")
    private Verbosity verbosity;

    @Option(names = {"-l", "--logfile"}, paramLabel = "FILE",
            description = "Append the log to FILE instead of standard error.")
    private Path logFile;

    LoggingOptions(Verbosity defaultLevel) {
        this.verbosity = defaultLevel;
    }

    /** Sets up logging as the options say. */
    void apply() {
        Logging.configure(verbosity, Optional.ofNullable(logFile));
    }
}
