package io.github.mtasts.resolver.refresh;

import io.github.mtasts.resolver.cache.ConcurrencyLimiter;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.store.CachedPolicy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code preload} list: policy domains brought into the cache before anyone asks, so that the first mail to a
 * big provider never waits for discovery. Each goes through {@link PolicyCache#preload}: memory, then the store, then
 * discovery, one flight per domain shared with any lookup of it. {@link ProactiveRefresher} keeps them fresh.
 */
public final class PolicyPreloader {

    private static final Logger log = LoggerFactory.getLogger(PolicyPreloader.class);

    private final PolicyCache cache;
    private final List<String> domains;
    private final int concurrency;

    /**
     * @param domains     normalised policy domains
     * @param concurrency most preloads at once; below the cache's own discovery limit, so that a lookup arriving
     *                    meanwhile finds a free discovery slot instead of queueing behind the whole list
     */
    public PolicyPreloader(PolicyCache cache, List<String> domains, int concurrency) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.domains = List.copyOf(domains);
        if (concurrency < 1) {
            throw new IllegalArgumentException("preload concurrency must be at least 1: " + concurrency);
        }
        this.concurrency = concurrency;
    }

    public List<String> domains() {
        return domains;
    }

    /**
     * Starts preloading every domain and returns at once; completes, never exceptionally, with the number of domains
     * that have a policy once all have been tried.
     */
    public CompletableFuture<Integer> run() {
        if (domains.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(concurrency);
        List<CompletableFuture<Optional<CachedPolicy>>> runs = domains.stream()
                .map(domain -> limiter.submit(() -> cache.preload(domain)))
                .toList();
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new))
                .handle((done, error) -> (int) runs.stream()
                        .filter(run -> !run.isCompletedExceptionally() && run.join().isPresent()).count())
                .whenComplete((found, error) -> log.info("preload: {} of {} domains have a policy", found,
                        domains.size()));
    }
}
