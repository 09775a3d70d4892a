package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.config.MetricsConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code milter:} section: the milter that collects the TLSRPT reports other organisations send to our
 * report addresses ({@code mtasts milter}).
 *
 * @param host           listen address for Postfix's {@code smtpd_milters = inet:host:port}
 * @param port           listen port
 * @param maxMessageSize larger messages pass through untouched and unread, in bytes
 * @param addresses      report addresses (lower case) and what to do with a message to them once its reports
 *                       are stored; mail to other addresses is still read when it carries a report, and kept
 * @param metrics        the milter process's own Prometheus listener (off by default; the daemon's port differs)
 */
public record MilterConfig(String host, int port, int maxMessageSize, Map<String, Disposition> addresses,
                           MetricsConfig metrics) {

    /** What happens to a message to a report address after its reports are safely stored. */
    public enum Disposition { KEEP, DISCARD;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final MilterConfig DEFAULT = new MilterConfig("127.0.0.1", 8891, 10 * 1024 * 1024, Map.of(),
            new MetricsConfig(false, "127.0.0.1", 9462));

    public MilterConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
        Objects.requireNonNull(metrics, "metrics");
        addresses = Collections.unmodifiableMap(new LinkedHashMap<>(addresses));
    }
}
