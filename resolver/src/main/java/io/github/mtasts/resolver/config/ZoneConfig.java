package io.github.mtasts.resolver.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How one socketmap name (Postfix's {@code socketmap:...:NAME}) answers; the keys of the Python daemon's
 * {@code default_zone} and {@code zones.<name>}.
 *
 * @param strictTesting answer policies in {@code testing} mode as if they were {@code enforce}
 * @param timeout       how long an answer may wait for discovery (DNS and HTTPS)
 * @param requireSni    append {@code servername=hostname} so Postfix sends SNI (RFC 8461 §4.2)
 * @param tlsrpt        append the Postfix ≥ 3.10 TLSRPT attributes to each answer
 * @param dane          whether DANE destinations are answered {@code dane}/{@code dane-only} (RFC 8461 §2)
 */
public record ZoneConfig(boolean strictTesting, Duration timeout, boolean requireSni, boolean tlsrpt,
                         DaneMode dane) {

    /** The map name the {@code mtasts cache} commands use to reach the daemon; no zone may take it. */
    public static final String ADMIN_MAP_NAME = "mtasts-admin";

    /**
     * How long Postfix waits for a socketmap answer (built into its dict_sockmap client): an answer must come
     * sooner, or Postfix defers the mail instead of applying its own TLS settings.
     */
    public static final Duration POSTFIX_SOCKETMAP_TIMEOUT = Duration.ofSeconds(100);
    /** Declared after the limit its constructor checks, which must be initialised first. */
    public static final ZoneConfig DEFAULT = new ZoneConfig(false, Duration.ofSeconds(4), true, false,
            DaneMode.AUTO);

    public ZoneConfig {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(dane, "dane");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(POSTFIX_SOCKETMAP_TIMEOUT) >= 0) {
            throw new IllegalArgumentException("zone timeout must be positive and below "
                    + POSTFIX_SOCKETMAP_TIMEOUT.toSeconds() + " s: " + timeout);
        }
    }

    /** This zone with {@code dane} decided: {@code auto} becomes {@code on} when {@code autoOn}. */
    public ZoneConfig withDaneDecided(boolean autoOn, boolean sourceAvailable) {
        boolean on = sourceAvailable && (dane == DaneMode.ON || (dane == DaneMode.AUTO && autoOn));
        DaneMode decided = on ? DaneMode.ON : DaneMode.OFF;
        return decided == dane ? this : new ZoneConfig(strictTesting, timeout, requireSni, tlsrpt, decided);
    }
}
