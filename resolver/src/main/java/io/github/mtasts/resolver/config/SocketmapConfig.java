package io.github.mtasts.resolver.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the socketmap listener, so a misbehaving client cannot exhaust the daemon.
 *
 * @param maxConnections   connections accepted at the same time; further ones are closed at once
 * @param idleTimeout      a connection without a request for this long is closed (Postfix reconnects)
 * @param maxRequestLength largest netstring payload accepted; a longer one closes the connection
 */
public record SocketmapConfig(int maxConnections, Duration idleTimeout, int maxRequestLength) {

    // The request limit matches the Python daemon's REQUEST_LIMIT: a domain name (253) plus a zone name fit.
    public static final SocketmapConfig DEFAULT = new SocketmapConfig(1000, Duration.ofSeconds(300), 1024);

    public SocketmapConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxConnections < 1 || maxRequestLength < 1 || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("socketmap limits must be positive");
        }
    }
}
