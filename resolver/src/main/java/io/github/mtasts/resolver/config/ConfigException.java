package io.github.mtasts.resolver.config;

/** A configuration file that cannot be used; the message names the file and the key path. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
