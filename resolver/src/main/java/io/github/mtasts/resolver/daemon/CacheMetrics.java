package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.cache.CacheCounters;
import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/** Publishes the cache's own counters; reading them costs the request path nothing. */
final class CacheMetrics {

    private CacheMetrics() {
    }

    static void bind(CacheCounters counters, MeterRegistry registry) {
        count(registry, "mtasts_cache_hits", "lookups answered from a cached policy", counters, CacheCounters::hits);
        count(registry, "mtasts_cache_negative_hits", "lookups answered from a remembered absence or failure",
                counters, CacheCounters::negativeHits);
        count(registry, "mtasts_cache_misses", "lookups that needed discovery", counters, CacheCounters::misses);
        count(registry, "mtasts_cache_refreshes", "background refreshes of cached policies", counters,
                CacheCounters::refreshes);
        count(registry, "mtasts_store_failures", "failed policy store operations (served from memory)", counters,
                CacheCounters::storeFailures);
        for (FailureType type : FailureType.values()) {
            FunctionCounter.builder("mtasts_discovery_failures", counters, c -> c.discoveryFailures(type))
                    .description("discoveries that failed, by cause")
                    .tag("cause", type.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    private static void count(MeterRegistry registry, String name, String description, CacheCounters counters,
            java.util.function.ToLongFunction<CacheCounters> value) {
        FunctionCounter.builder(name, counters, c -> value.applyAsLong(c)).description(description).register(registry);
    }
}
