package io.github.mtasts.resolver.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Background refresh of every cached policy (the Python daemon's {@code proactive_policy_fetching}).
 *
 * @param enabled          whether the refresh runs at all
 * @param interval         time between two refresh rounds
 * @param concurrencyLimit most domains refreshed at the same time
 * @param graceRatio       a domain is skipped when its policy is younger than {@code interval / graceRatio}
 */
public record ProactiveFetchConfig(boolean enabled, Duration interval, int concurrencyLimit, double graceRatio) {

    public static final ProactiveFetchConfig DEFAULT =
            new ProactiveFetchConfig(false, Duration.ofSeconds(86400), 100, 2.0);

    public ProactiveFetchConfig {
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("interval must be at least 1 second: " + interval);
        }
        if (concurrencyLimit < 1) {
            throw new IllegalArgumentException("concurrency_limit must be at least 1: " + concurrencyLimit);
        }
        if (!(graceRatio > 0) || Double.isInfinite(graceRatio)) {
            throw new IllegalArgumentException("grace_ratio must be a positive number: " + graceRatio);
        }
    }
}
