package io.github.mtasts.resolver.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The dashboard's HTTP listener (off by default). Reports reveal infrastructure: keep it on loopback, and set
 * a token to require {@code Authorization: Bearer TOKEN} (or {@code ?token=TOKEN}) on every request.
 */
public record DashboardConfig(boolean enabled, String host, int port, Optional<String> token) {

    public static final DashboardConfig DEFAULT = new DashboardConfig(false, "127.0.0.1", 9463, Optional.empty());

    public DashboardConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(token, "token");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
