package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Loads the file {@link ConfigLocation} picked, or the built-in defaults when there is none: the file is read and
 * parsed once, and every section is parsed from that one document.
 */
final class ConfigFiles {

    private ConfigFiles() {
    }

    static Configuration load(Optional<Path> file) throws ConfigException {
        return Configuration.parse(file.isPresent() ? ConfigDocument.read(file.get())
                : ConfigDocument.empty("built-in defaults"));
    }
}
