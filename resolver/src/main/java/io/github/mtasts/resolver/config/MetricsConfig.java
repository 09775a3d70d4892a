package io.github.mtasts.resolver.config;

import java.util.Objects;

/** The milter process's Prometheus scrape endpoint, an HTTP listener of its own; off unless enabled. */
public record MetricsConfig(boolean enabled, String host, int port) {

    public static final MetricsConfig DEFAULT = new MetricsConfig(false, "127.0.0.1", 9461);

    public MetricsConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
