package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code internal} cache type: everything in memory, lost on restart. Each table keeps at most
 * {@code cache_size} rows and drops the least recently used one beyond that, as the Python tool's internal cache.
 */
public final class MemoryPolicyStore implements PolicyStore {

    /** The Python tool's default {@code cache: {type: internal, options: {cache_size}}}. */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    private record ServedKey(String domain, String policyHash) {}

    private record FailureKey(String domain, LocalDate day, FailureType type) {}

    private record Lease(String owner, long expiresAtNanos) {}

    private final Map<String, CachedPolicy> policies;
    private final Map<ServedKey, ServedPolicy> served;
    private final Map<FailureKey, DiscoveryFailureCount> failures;
    private final Map<String, Lease> leases = new HashMap<>();

    public MemoryPolicyStore(int cacheSize) {
        if (cacheSize < 1) {
            throw new IllegalArgumentException("cache.options.cache_size must be at least 1: " + cacheSize);
        }
        policies = lruMap(cacheSize);
        served = lruMap(cacheSize);
        failures = lruMap(cacheSize);
    }

    private static <K, V> Map<K, V> lruMap(int bound) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > bound;
            }
        };
    }

    @Override
    public synchronized Optional<CachedPolicy> load(String domain) {
        return Optional.ofNullable(policies.get(domain));
    }

    @Override
    public synchronized List<CachedPolicy> loadAll() {
        return List.copyOf(policies.values());
    }

    @Override
    public synchronized void save(CachedPolicy policy) {
        policies.put(policy.domain(), policy);
    }

    @Override
    public synchronized void remove(String domain) {
        policies.remove(domain);
    }

    @Override
    public synchronized void policyServed(String domain, StsPolicy policy, Instant from, Instant until) {
        String hash = ServedPolicy.hashOf(policy);
        served.merge(new ServedKey(domain, hash),
                new ServedPolicy(domain, hash, ServedPolicy.textOf(policy), policy.mode(), from, until),
                (old, fresh) -> old.widenedTo(from, until));
    }

    @Override
    public synchronized List<ServedPolicy> servedPolicies(String domain) {
        List<ServedPolicy> result = new ArrayList<>();
        for (ServedPolicy s : served.values()) {
            if (s.domain().equals(domain)) {
                result.add(s);
            }
        }
        result.sort(Comparator.comparing(ServedPolicy::firstServed));
        return result;
    }

    @Override
    public synchronized void discoveryFailure(String domain, Instant at, FailureType type, String detail) {
        Instant second = Instant.ofEpochSecond(at.getEpochSecond());
        LocalDate day = DiscoveryFailureCount.dayOf(second);
        failures.merge(new FailureKey(domain, day, type),
                new DiscoveryFailureCount(domain, day, type, 1, detail, second, second),
                (old, fresh) -> old.plus(second, detail));
    }

    @Override
    public synchronized List<DiscoveryFailureCount> discoveryFailures(LocalDate day) {
        List<DiscoveryFailureCount> result = new ArrayList<>();
        for (DiscoveryFailureCount f : failures.values()) {
            if (f.day().equals(day)) {
                result.add(f);
            }
        }
        result.sort(Comparator.comparing(DiscoveryFailureCount::domain).thenComparing(DiscoveryFailureCount::type));
        return result;
    }

    @Override
    public synchronized List<DiscoveryFailureCount> discoveryFailures(String domain) {
        List<DiscoveryFailureCount> result = new ArrayList<>();
        for (DiscoveryFailureCount f : failures.values()) {
            if (f.domain().equals(domain)) {
                result.add(f);
            }
        }
        result.sort(PolicyRows.FAILURES_IN_TIME);
        return result;
    }

    /** Shared by the caches of one process only; expiry follows {@link System#nanoTime()}. */
    @Override
    public synchronized boolean tryLease(String name, String owner, Duration ttl) {
        long now = System.nanoTime();
        Lease held = leases.get(name);
        if (held != null && !held.owner().equals(owner) && now - held.expiresAtNanos() < 0) {
            return false;
        }
        leases.put(name, new Lease(owner, now + TimeUnit.NANOSECONDS.convert(ttl)));
        return true;
    }

    @Override
    public void close() {
        // nothing to release: the maps go with the object
    }
}
