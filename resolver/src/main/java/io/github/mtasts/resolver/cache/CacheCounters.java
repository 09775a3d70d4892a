package io.github.mtasts.resolver.cache;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Monotonic counters of {@link PolicyCache}, for metrics; cheap enough for the request path. */
public final class CacheCounters {

    private final LongAdder hits = new LongAdder();
    private final LongAdder negativeHits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();
    private final Map<FailureType, LongAdder> discoveryFailures = new EnumMap<>(FailureType.class);

    CacheCounters() {
        for (FailureType type : FailureType.values()) {
            discoveryFailures.put(type, new LongAdder());
        }
    }

    /** Lookups answered with a cached policy. */
    public long hits() {
        return hits.sum();
    }

    /** Lookups answered "no policy" from a remembered negative result. */
    public long negativeHits() {
        return negativeHits.sum();
    }

    /** Lookups that found nothing usable in memory and needed the store or discovery. */
    public long misses() {
        return misses.sum();
    }

    /** Discoveries started for a domain whose policy was cached (cache_grace or proactive). */
    public long refreshes() {
        return refreshes.sum();
    }

    /** Store operations that failed. */
    public long storeFailures() {
        return storeFailures.sum();
    }

    public long discoveryFailures(FailureType type) {
        return discoveryFailures.get(type).sum();
    }

    void hit() {
        hits.increment();
    }

    void negativeHit() {
        negativeHits.increment();
    }

    void miss() {
        misses.increment();
    }

    void refresh() {
        refreshes.increment();
    }

    void storeFailure() {
        storeFailures.increment();
    }

    void discoveryFailure(FailureType type) {
        discoveryFailures.get(type).increment();
    }
}
