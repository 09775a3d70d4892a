package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;

import java.nio.file.Path;
import java.util.Optional;

/** Loads the file {@link ConfigLocation} picked, or the built-in defaults when there is none. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    static DaemonConfig load(Optional<Path> file) throws ConfigException {
        return file.isPresent() ? ConfigLoader.load(file.get()) : DaemonConfig.defaults();
    }
}
