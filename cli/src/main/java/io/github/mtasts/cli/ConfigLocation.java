package io.github.mtasts.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Which configuration file a command reads when {@code -c} is not given. */
final class ConfigLocation {

    private static final String DEFAULT_NAME = "/etc/mtasts/mtasts.yml";
    /** postfix-mta-sts-resolver's default, read so that replacing the Python daemon needs no new file. */
    private static final String PYTHON_DEFAULT_NAME = "/etc/mta-sts-daemon.yml";
    static final List<Path> DEFAULTS = List.of(Path.of(DEFAULT_NAME), Path.of(PYTHON_DEFAULT_NAME));

    static final String HELP = "Configuration file (default: " + DEFAULT_NAME + "; when it does not exist, "
            + PYTHON_DEFAULT_NAME + " of postfix-mta-sts-resolver is read; when neither exists, the built-in"
            + " defaults apply).";

    private ConfigLocation() {
    }

    /** The explicit file, else the first default that exists; empty means the built-in defaults. */
    static Optional<Path> resolve(Path explicit, List<Path> defaults) {
        if (explicit != null) {
            return Optional.of(explicit);
        }
        return defaults.stream().filter(Files::exists).findFirst();
    }
}
