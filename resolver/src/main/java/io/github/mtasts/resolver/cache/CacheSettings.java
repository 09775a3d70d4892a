package io.github.mtasts.resolver.cache;

import io.github.mtasts.resolver.store.MemoryPolicyStore;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link PolicyCache}.
 *
 * @param cacheGrace               the Python tool's {@code cache_grace}: a cached policy checked less than this long ago
 *                                 is served without a refresh; an older one is served and refreshed in the background
 * @param noPolicyTtl              how long "this domain has no policy" is remembered for a domain without a cached
 *                                 policy
 * @param failureTtl               how long a failed discovery is remembered for a domain without a cached policy
 * @param maxConcurrentDiscoveries discoveries running at once; further ones wait their turn
 * @param maxEntries               domains held in memory; beyond it the policy closest to expiry is dropped from
 *                                 memory (it stays in the store and is read back on its next lookup)
 * @param proactive                the Python tool's {@code proactive_policy_fetching}
 */
public record CacheSettings(Duration cacheGrace, Duration noPolicyTtl, Duration failureTtl,
                            int maxConcurrentDiscoveries, int maxEntries, ProactiveFetching proactive) {

    /** The Python tool's default {@code cache_grace}. */
    public static final Duration DEFAULT_CACHE_GRACE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_FAILURE_TTL = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CONCURRENT_DISCOVERIES = 100;

    public CacheSettings {
        Objects.requireNonNull(proactive, "proactive_policy_fetching");
        requirePositive("cache_grace", cacheGrace);
        requirePositive("no-policy ttl", noPolicyTtl);
        requirePositive("failure ttl", failureTtl);
        if (maxConcurrentDiscoveries < 1) {
            throw new IllegalArgumentException("maximum concurrent discoveries must be at least 1: "
                    + maxConcurrentDiscoveries);
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maximum cached domains must be at least 1: " + maxEntries);
        }
    }

    /** Defaults; "no policy" is remembered as long as a positive answer is trusted without a check. */
    public static CacheSettings defaults() {
        return withCacheGrace(DEFAULT_CACHE_GRACE);
    }

    /** Defaults around a configured {@code cache_grace}. */
    public static CacheSettings withCacheGrace(Duration cacheGrace) {
        return new CacheSettings(cacheGrace, cacheGrace, DEFAULT_FAILURE_TTL, DEFAULT_MAX_CONCURRENT_DISCOVERIES,
                MemoryPolicyStore.DEFAULT_CACHE_SIZE, ProactiveFetching.defaults());
    }

    public CacheSettings withProactive(ProactiveFetching proactiveFetching) {
        return new CacheSettings(cacheGrace, noPolicyTtl, failureTtl, maxConcurrentDiscoveries, maxEntries,
                proactiveFetching);
    }

    private static void requirePositive(String key, Duration value) {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive: " + value.toSeconds() + " s");
        }
    }

    /**
     * The Python tool's {@code proactive_policy_fetching} keys with their meaning there: every {@code interval}
     * the cached policies are re-checked, at most {@code concurrencyLimit} at a time, skipping those confirmed less
     * than {@code interval / graceRatio} ago.
     */
    public record ProactiveFetching(boolean enabled, Duration interval, int concurrencyLimit, double graceRatio) {

        public ProactiveFetching {
            requirePositive("proactive_policy_fetching.interval", interval);
            if (concurrencyLimit < 1) {
                throw new IllegalArgumentException("proactive_policy_fetching.concurrency_limit must be at least 1: "
                        + concurrencyLimit);
            }
            if (!(graceRatio > 0) || Double.isInfinite(graceRatio)) {
                throw new IllegalArgumentException("proactive_policy_fetching.grace_ratio must be a positive number: "
                        + graceRatio);
            }
        }

        /** The Python tool's defaults: off, daily, 100 at a time, skip what is younger than half a day. */
        public static ProactiveFetching defaults() {
            return new ProactiveFetching(false, Duration.ofSeconds(86_400), 100, 2.0);
        }

        /** Policies confirmed less than this long ago are skipped by a proactive run. */
        public Duration skipYoungerThan() {
            return Duration.ofMillis((long) (interval.toMillis() / graceRatio));
        }
    }
}
