package io.github.mtasts.resolver.config;

import java.util.Objects;

/**
 * The {@code http:} section: where the daemon's one HTTP listener binds. It serves {@code /metrics} and the
 * dashboard, and binds only when one of them is enabled. Loopback by default: both reveal infrastructure.
 */
public record HttpConfig(String host, int port) {

    public static final HttpConfig DEFAULT = new HttpConfig("127.0.0.1", 9461);

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
