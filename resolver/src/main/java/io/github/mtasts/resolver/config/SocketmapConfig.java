package io.github.mtasts.resolver.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits and I/O transport of the socketmap listener, so a misbehaving client cannot exhaust the daemon.
 *
 * @param maxConnections   connections accepted at the same time; further ones are closed at once
 * @param idleTimeout      a connection without a request for this long is closed (Postfix reconnects)
 * @param maxRequestLength largest netstring payload accepted; a longer one closes the connection
 * @param transport        the event-loop transport ({@code transport}); {@code auto} picks the best available
 */
public record SocketmapConfig(int maxConnections, Duration idleTimeout, int maxRequestLength, Transport transport) {

    /*
     * Each Postfix smtp process holds one connection (default_process_limit is 100 per service), so 1024
     * leaves room for several services. A request is "<name> <domain>" and Postfix may send the domain in
     * UTF-8 (SMTPUTF8), up to 4 bytes a character: 4096 bytes hold any 253-octet name. Postfix closes an
     * idle socketmap connection itself after 10 s; 300 s only reclaims connections of vanished clients.
     */
    public static final SocketmapConfig DEFAULT =
            new SocketmapConfig(1024, Duration.ofSeconds(300), 4096, Transport.AUTO);

    public SocketmapConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(transport, "transport");
        if (maxConnections < 1 || maxRequestLength < 1 || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("socketmap limits must be positive");
        }
    }

    /**
     * Which Netty transport serves the socketmap connections. An administrator forces one when the automatic
     * choice misbehaves on a kernel (io_uring is disabled by some distributions and container runtimes).
     */
    public enum Transport {
        /** The best one available here: see {@code SocketmapTransport.preferred()}. */
        AUTO,
        /** Linux io_uring (kernel 5.9 or later, not disabled by {@code kernel.io_uring_disabled}). */
        IO_URING,
        /** Linux epoll. */
        EPOLL,
        /** Java NIO selectors: every platform. */
        NIO;

        /** The value as written in the configuration file. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The transport a configuration value names; empty for anything else. */
        public static Optional<Transport> fromConfigName(String value) {
            for (Transport transport : values()) {
                if (transport.configName().equals(value)) {
                    return Optional.of(transport);
                }
            }
            return Optional.empty();
        }
    }
}
