package io.github.mtasts.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code -c/--config} option every command that reads the configuration file shares (a picocli mixin). */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = ConfigLocation.HELP)
    private Path file;

    /** The file given with {@code -c}, or null. */
    Path explicit() {
        return file;
    }

    /** The explicit file, else the first of {@code defaults} that exists; empty means the built-in defaults. */
    Optional<Path> resolve(List<Path> defaults) {
        return ConfigLocation.resolve(file, defaults);
    }
}
