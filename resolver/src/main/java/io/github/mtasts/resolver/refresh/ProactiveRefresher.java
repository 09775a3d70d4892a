package io.github.mtasts.resolver.refresh;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.ConcurrencyLimiter;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proactive policy fetching ({@code proactive_policy_fetching}): every {@code interval}, re-checks the cached
 * policies that are due, so that a policy is confirmed before it expires and the first mail after a long pause
 * never waits for discovery (RFC 8461 §3.3 asks senders to refresh policies before they expire). The domains of
 * {@code preload} are refreshed like any cached policy, and discovered again while they have none in memory.
 */
public final class ProactiveRefresher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProactiveRefresher.class);

    /** The store lease a run takes, so that one daemon of those sharing a store does each run. */
    public static final String LEASE = "proactive-refresh";

    private final PolicyCache cache;
    private final CacheSettings.ProactiveFetching settings;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    /** Names this daemon among those sharing a store, as holder of {@link #LEASE}. */
    private final String leaseOwner = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
    /** Domains of {@code preload}: tried again in every run while they have no policy in memory. */
    private final List<String> preload;

    public ProactiveRefresher(PolicyCache cache, CacheSettings.ProactiveFetching settings, Clock clock) {
        this(cache, settings, clock, List.of());
    }

    /** @param preload normalised policy domains kept in the cache though nobody looks them up */
    public ProactiveRefresher(PolicyCache cache, CacheSettings.ProactiveFetching settings, Clock clock,
                              List<String> preload) {
        this.preload = List.copyOf(preload);
        this.cache = Objects.requireNonNull(cache, "cache");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "policy-proactive-refresh");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs now, then every {@code interval} after the previous run ended. */
    public void start() {
        // like the Python tool after a start without a recorded run: run now; young policies are skipped anyway
        schedule(0);
    }

    private void schedule(long delayMillis) {
        try {
            scheduler.schedule(() -> runOnce().whenComplete((count, error) -> {
                if (error != null) {
                    log.error("proactive policy refresh failed", error);
                } else {
                    log.info("proactive policy refresh checked {} domains", count);
                }
                schedule(settings.interval().toMillis());
            }), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            log.debug("refresher closed, proactive refresh stops");
        }
    }

    /**
     * One run: re-checks every cached policy that is due, at most {@code concurrency_limit} at a time. Completes
     * with the number of domains checked once all checks have ended.
     *
     * <p>Daemons sharing a store share the chore: the run first takes the store's {@link #LEASE} for one interval,
     * and a daemon that finds it held by another checks nothing. The run works through the stored policies, not only
     * those in memory, so it also refreshes what other daemons discovered; a stored copy newer than ours (another
     * daemon refreshed it) replaces ours. When the store fails, every daemon refreshes what it holds in memory:
     * RFC 8461 §3.3 wants policies refreshed before they expire, and a duplicated check is harmless.
     */
    public CompletableFuture<Integer> runOnce() {
        cache.purgeExpired();
        Duration interval = settings.interval();
        return cache.store().read("take the proactive refresh lease", s -> s.tryLease(LEASE, leaseOwner, interval),
                        true)
                .thenCompose(leased -> {
                    if (!leased) {
                        log.debug("proactive refresh: another daemon holds the lease of this run");
                        return CompletableFuture.completedFuture(0);
                    }
                    // off the store thread: discovery may start its work on the calling thread
                    return cache.store().read("load all policies", PolicyStore::loadAll, List.<CachedPolicy>of())
                            .thenComposeAsync(this::refreshDue, scheduler);
                });
    }

    private CompletableFuture<Integer> refreshDue(List<CachedPolicy> stored) {
        Instant now = now();
        for (CachedPolicy policy : stored) {
            // ours when it is newer; one we do not hold only when due, the others stay in the store for a miss
            boolean adopt = cache.held(policy.domain())
                    .map(held -> held.lastCheckedAt().isBefore(policy.lastCheckedAt()))
                    .orElseGet(() -> isDue(policy, now));
            if (adopt) {
                cache.adopt(policy);
            }
        }
        List<String> due = new ArrayList<>();
        for (CachedPolicy held : cache.heldPolicies()) {
            if (isDue(held, now)) {
                due.add(held.domain());
            }
        }
        // preloaded domains the runs above do not cover: no usable policy in memory (none found yet, evicted, expired)
        Set<String> dueDomains = new HashSet<>(due);
        List<String> missing = new ArrayList<>();
        for (String domain : preload) {
            if (!dueDomains.contains(domain) && cache.held(domain).filter(p -> p.usableAt(now)).isEmpty()) {
                missing.add(domain);
            }
        }
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(settings.concurrencyLimit());
        List<CompletableFuture<?>> runs = new ArrayList<>();
        for (String domain : due) {
            runs.add(limiter.submit(() -> cache.refresh(domain, p -> isDue(p, now()))));
        }
        for (String domain : missing) {
            runs.add(limiter.submit(() -> cache.preload(domain)));
        }
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new))
                .thenApply(done -> due.size() + missing.size());
    }

    /**
     * The Python tool's rule: due when confirmed at least {@code interval / grace_ratio} ago. Ours in addition: due
     * when it would expire before the next run, since RFC 8461 §3.3 asks for a refresh before a policy expires and
     * a policy with a short max_age would otherwise lapse between runs.
     */
    private boolean isDue(CachedPolicy policy, Instant now) {
        return policy.usableAt(now)
                && (!now.isBefore(policy.confirmedAt().plus(settings.skipYoungerThan()))
                    || !policy.expiresAt().isAfter(now.plus(settings.interval())));
    }

    /** Now, in whole seconds, as the cache and the store count. */
    private Instant now() {
        return Instant.ofEpochSecond(Math.floorDiv(clock.millis(), 1000));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
