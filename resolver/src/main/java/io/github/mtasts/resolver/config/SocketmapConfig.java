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

    /*
     * Each Postfix smtp process holds one connection (default_process_limit is 100 per service), so 1024
     * leaves room for several services. A request is "<name> <domain>" and Postfix may send the domain in
     * UTF-8 (SMTPUTF8), up to 4 bytes a character: 4096 bytes hold any 253-octet name. Postfix closes an
     * idle socketmap connection itself after 10 s; 300 s only reclaims connections of vanished clients.
     */
    public static final SocketmapConfig DEFAULT = new SocketmapConfig(1024, Duration.ofSeconds(300), 4096);

    public SocketmapConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxConnections < 1 || maxRequestLength < 1 || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("socketmap limits must be positive");
        }
    }
}
