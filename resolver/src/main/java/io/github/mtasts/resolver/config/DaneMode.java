package io.github.mtasts.resolver.config;

import java.util.Locale;
import java.util.Optional;

/** A zone's {@code dane} key: whether its answers hand DANE destinations to Postfix's own DANE support. */
public enum DaneMode {
    /** Answers exactly as without DANE support (the Python daemon's answers). */
    OFF,
    /** The zone's Postfix does DNSSEC lookups: DANE destinations are answered {@code dane} or {@code dane-only}. */
    ON,
    /** {@code on} when {@code postconf -h smtp_dns_support_level} says {@code dnssec}, decided once at start. */
    AUTO;

    /** The word in the configuration file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code off}, {@code on} or {@code auto}, any case. */
    public static Optional<DaneMode> fromConfigName(String name) {
        for (DaneMode mode : values()) {
            if (mode.configName().equalsIgnoreCase(name)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
