package io.github.mtasts.cli;

import java.nio.file.Path;
import java.util.Optional;

/** Runs the resolver daemon until it is told to stop; what {@code mtasts daemon} hands a valid configuration to. */
@FunctionalInterface
public interface DaemonRunner {

    /**
     * @param config     the validated configuration, every section of it
     * @param configFile the file it came from, empty when the built-in defaults apply
     * @return the process exit code
     */
    int run(Configuration config, Optional<Path> configFile) throws Exception;
}
