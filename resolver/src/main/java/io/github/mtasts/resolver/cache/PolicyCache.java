package io.github.mtasts.resolver.cache;

import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Failed;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Found;
import io.github.mtasts.resolver.discovery.DiscoveryResult.NoPolicy;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Unchanged;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStoreException;
import io.github.mtasts.resolver.store.WriteBehindStore;
import io.github.mtasts.resolver.text.LogSafe;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies in force, in memory, in front of discovery and a durable {@link PolicyStore}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A lookup of a cached, unexpired policy reads one map entry and returns a future completed in advance: no I/O,
 *       no lock, no allocation, no logging. Everything slow runs on discovery's threads or the store thread.</li>
 *   <li>At most one discovery per domain is in flight (single flight): {@code inFlight} holds it, and a flight
 *       installs its result in {@code entries} before it leaves {@code inFlight}.</li>
 *   <li>Only a newer policy or expiry removes a policy (RFC 8461 §3.3, §5.1, downgrade resistance): a vanished TXT
 *       record or a failed fetch leave a usable policy in force.</li>
 *   <li>The store never fails a lookup: its errors are logged once per outage and the cache runs on memory.</li>
 *   <li>A policy is recorded as served (the history TLSRPT joins sessions with) only where the responder could
 *       have answered it: never for a domain an override answers for. Such a domain's policy is still held and
 *       refreshed, so that removing the override opens no downgrade window, but Postfix was never given it.</li>
 * </ul>
 */
public final class PolicyCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PolicyCache.class);

    private static final CompletableFuture<Optional<CachedPolicy>> NO_POLICY =
            CompletableFuture.completedFuture(Optional.empty());

    private sealed interface Entry permits Held, Absent {}

    /**
     * A policy with its answer built in advance, so that a hit allocates nothing. {@code refreshQueued} lets the
     * first stale hit, and only it, queue a refresh; every refresh outcome installs a new Held with a fresh flag.
     */
    private record Held(CachedPolicy policy, CompletableFuture<Optional<CachedPolicy>> answer, long expiresAtMillis,
                        long refreshAtMillis, AtomicBoolean refreshQueued) implements Entry {

        static Held of(CachedPolicy policy, Duration cacheGrace) {
            return new Held(policy, CompletableFuture.completedFuture(Optional.of(policy)),
                    policy.expiresAt().toEpochMilli(), policy.lastCheckedAt().plus(cacheGrace).toEpochMilli(),
                    new AtomicBoolean());
        }
    }

    /** Negative caching: the domain had no usable policy when last asked; do not ask again before {@code until}. */
    private record Absent(long untilMillis) implements Entry {}

    private final PolicyDiscovery discovery;
    private final WriteBehindStore store;
    private final CacheSettings settings;
    private final PolicyOverrides overrides;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Optional<CachedPolicy>>> inFlight =
            new ConcurrentHashMap<>();
    private final ConcurrencyLimiter discoveries;
    private final ScheduledExecutorService scheduler;
    private final CacheCounters counters = new CacheCounters();

    public PolicyCache(PolicyDiscovery discovery, PolicyStore store, CacheSettings settings, Clock clock) {
        this(discovery, store, settings, PolicyOverrides.NONE, clock);
    }

    /** @param overrides the domains the responder answers before the cache, whose policies it never records served */
    public PolicyCache(PolicyDiscovery discovery, PolicyStore store, CacheSettings settings, PolicyOverrides overrides,
                       Clock clock) {
        this.overrides = Objects.requireNonNull(overrides, "overrides");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.store = new WriteBehindStore(Objects.requireNonNull(store, "store"), counters::storeFailure);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.discoveries = new ConcurrencyLimiter(settings.maxConcurrentDiscoveries());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "policy-refresh");
            thread.setDaemon(true);
            return thread;
        });
    }

    public CacheCounters counters() {
        return counters;
    }

    /** The store behind this cache, on its own thread: proactive refresh reads through it too, in the same order. */
    public WriteBehindStore store() {
        return store;
    }

    /**
     * The policy in force for {@code domain}, or empty when it has none. Completes at once for a cached domain (and
     * starts at most one background refresh once {@code cache_grace} has passed since the last check); otherwise when
     * discovery ends. Never completes exceptionally. A caller may stop waiting with {@code completeOnTimeout} (the
     * socketmap's zone timeout): a pending answer is the caller's own copy, so the shared discovery goes on and fills
     * the cache; a completed answer may be shared and ignores such calls.
     *
     * @param domain normalised policy domain
     */
    public CompletableFuture<Optional<CachedPolicy>> lookup(String domain) {
        long now = clock.millis();
        Entry entry = entries.get(domain);
        if (entry instanceof Held held) {
            if (now < held.expiresAtMillis) {
                counters.hit();
                // read before compare-and-set: stale hits then only read a shared flag
                if (now >= held.refreshAtMillis && !held.refreshQueued.get()
                        && held.refreshQueued.compareAndSet(false, true)) {
                    refreshInBackground(domain, held);
                }
                return held.answer;
            }
            expire(domain, held);
        } else if (entry instanceof Absent absent) {
            if (now < absent.untilMillis) {
                counters.negativeHit();
                return NO_POLICY;
            }
            entries.remove(domain, absent);
        }
        counters.miss();
        return resolveMiss(domain).copy();
    }

    /**
     * Makes sure the policy of {@code domain}, when it has one, is held in memory: from memory, else the store, else
     * discovery (one flight per domain, shared with lookups). For {@code preload}: it counts as no lookup (no hit or
     * miss), so the lookup metrics stay those of Postfix's requests. Never completes exceptionally.
     *
     * @param domain normalised policy domain
     */
    public CompletableFuture<Optional<CachedPolicy>> preload(String domain) {
        CompletableFuture<Optional<CachedPolicy>> settled = settledAnswer(domain);
        return settled != null ? settled : resolveMiss(domain).copy();
    }

    /**
     * Loads the usable policies from the store, so a restart opens no downgrade window (RFC 8461 §10.2). Beyond
     * {@code maxEntries} the ones expiring last are loaded; the others stay in the store for their next lookup.
     */
    public CompletableFuture<Integer> warmStart() {
        return store.read("load all policies", PolicyStore::loadAll, List.<CachedPolicy>of()).thenApply(stored -> {
            Instant now = now();
            List<CachedPolicy> usable = new ArrayList<>();
            for (CachedPolicy policy : stored) {
                if (policy.usableAt(now)) {
                    usable.add(policy);
                } else {
                    store.write("remove expired policy of " + policy.domain(), s -> s.remove(policy.domain()));
                }
            }
            usable.sort(Comparator.comparing(CachedPolicy::expiresAt).reversed());
            int loaded = 0;
            for (CachedPolicy policy : usable.subList(0, Math.min(usable.size(), settings.maxEntries()))) {
                if (entries.putIfAbsent(policy.domain(), Held.of(policy, settings.cacheGrace())) == null) {
                    store.write("record served policy of " + policy.domain(),
                            s -> recordServed(s, policy.domain(), policy.policy(), now, now));
                    loaded++;
                }
            }
            return loaded;
        });
    }

    /** Starts the background purge of expired entries (proactive refresh is {@code ProactiveRefresher}'s). */
    public void start() {
        long purgeMillis = Math.max(settings.noPolicyTtl().toMillis(), settings.failureTtl().toMillis());
        scheduler.scheduleWithFixedDelay(this::purgeExpired, purgeMillis, purgeMillis, TimeUnit.MILLISECONDS);
    }

    /** The policy held in memory for {@code domain}, expired or not. */
    public Optional<CachedPolicy> held(String domain) {
        return entries.get(domain) instanceof Held held ? Optional.of(held.policy()) : Optional.empty();
    }

    /** The policies held in memory now. */
    public List<CachedPolicy> heldPolicies() {
        List<CachedPolicy> policies = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (entry instanceof Held held) {
                policies.add(held.policy());
            }
        }
        return policies;
    }

    /**
     * Serves {@code policy}, a copy read from the store (another daemon may have refreshed it), unless it is no
     * longer usable or a discovery of its domain is running, whose outcome is newer.
     */
    public void adopt(CachedPolicy policy) {
        if (policy.usableAt(now()) && !inFlight.containsKey(policy.domain())) {
            install(policy);
        }
    }

    /**
     * Drops what memory holds for {@code domain} (a policy or a negative entry), so that its next lookup reads the
     * store and, finding nothing usable there, discovers. The store is not touched: an administrator who purged the
     * domain has removed it there already, and one who did not keeps its policy (no downgrade by a memory purge).
     */
    public void forget(String domain) {
        entries.remove(domain);
    }

    /** {@link #forget(String)} for every domain. */
    public void forgetAll() {
        entries.clear();
    }

    /**
     * Makes memory agree with the store for {@code domain}, after an administrator changed the store: a usable stored
     * policy is served at once, without waiting for a miss (an in-flight discovery's outcome, being newer, wins);
     * no usable stored policy drops the memory copy, so the next lookup discovers. Completes with the policy now
     * held, or empty; when the store cannot be read, memory is left as it is and the future fails.
     */
    public CompletableFuture<Optional<CachedPolicy>> reload(String domain) {
        return store.read("reload policy of " + domain, s -> Optional.of(s.load(domain)),
                        Optional.<Optional<CachedPolicy>>empty())
                .thenApply(read -> {
                    Optional<CachedPolicy> stored = read.orElseThrow(() -> new PolicyStoreException(
                            "the store could not be read; see the daemon's log"));
                    if (stored.isPresent() && stored.get().usableAt(now())) {
                        adopt(stored.get());
                    } else {
                        forget(domain);
                    }
                    return held(domain).filter(policy -> policy.usableAt(now()));
                });
    }

    /**
     * Records in {@code target} that {@code policy} was in force for {@code domain} over the span given, unless an
     * override answers for the domain: the responder answers it before the cache, so whatever the cache holds for
     * the domain never reaches Postfix. Every "served" record of the cache goes through here.
     */
    private void recordServed(PolicyStore target, String domain, StsPolicy policy, Instant from, Instant until) {
        if (overrides.find(domain).isEmpty()) {
            target.policyServed(domain, policy, from, until);
        }
    }

    /** Same arithmetic as a hit's {@code refreshAtMillis}, so a refresh a hit asked for is never skipped. */
    private boolean dueForGraceRefresh(CachedPolicy policy) {
        return clock.millis() >= policy.lastCheckedAt().plus(settings.cacheGrace()).toEpochMilli();
    }

    /** Drops expired policies and negative entries, so that memory holds only what can still be served. */
    public void purgeExpired() {
        long now = clock.millis();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            if (entry instanceof Held held && now >= held.expiresAtMillis) {
                expire(e.getKey(), held);
            } else if (entry instanceof Absent absent && now >= absent.untilMillis) {
                entries.remove(e.getKey(), absent);
            }
        }
    }

    private void expire(String domain, Held held) {
        if (entries.remove(domain, held)) {
            CachedPolicy policy = held.policy();
            log.debug("policy of {} expired at {}", LogSafe.escape(domain), policy.expiresAt());
            store.write("remove expired policy of " + domain, s -> {
                recordServed(s, domain, policy.policy(), policy.confirmedAt(), policy.expiresAt());
                s.remove(domain);
            });
        }
    }

    private CompletableFuture<Optional<CachedPolicy>> resolveMiss(String domain) {
        CompletableFuture<Optional<CachedPolicy>> flight = new CompletableFuture<>();
        CompletableFuture<Optional<CachedPolicy>> running = inFlight.putIfAbsent(domain, flight);
        if (running != null) {
            return running;
        }
        // a flight that ended between our read of entries and putIfAbsent has installed its result: use it
        CompletableFuture<Optional<CachedPolicy>> settled = settledAnswer(domain);
        if (settled != null) {
            finish(domain, flight, settled.join(), null);
            return flight;
        }
        store.read("load policy of " + domain, s -> s.load(domain), Optional.<CachedPolicy>empty())
                .thenCompose(stored -> {
                    Instant now = now();
                    if (stored.isPresent() && stored.get().usableAt(now)) {
                        CachedPolicy policy = stored.get();
                        install(policy);
                        store.write("record served policy of " + domain,
                                s -> recordServed(s, domain, policy.policy(), now, now));
                        return CompletableFuture.completedFuture(stored);
                    }
                    if (stored.isPresent()) {
                        store.write("remove expired policy of " + domain, s -> s.remove(domain));
                    }
                    // RFC 8461 §5.1 step 1: no usable cached policy, so fetch one (no known id: a fetch is wanted)
                    return discoverAndApply(domain, null);
                })
                .whenComplete((answer, error) -> finish(domain, flight, answer, error));
        return flight;
    }

    /**
     * Starts the cache_grace refresh on the refresh thread: a hit must not start I/O itself. Once it has ended,
     * {@code held} may queue again, in case the refresh left it in place (it joined another flight).
     */
    private void refreshInBackground(String domain, Held held) {
        try {
            scheduler.execute(() -> refresh(domain, this::dueForGraceRefresh)
                    .whenComplete((answer, error) -> held.refreshQueued.set(false)));
        } catch (RejectedExecutionException closed) {
            // the cache is closing; the policy stays served until it expires
        }
    }

    /**
     * Re-checks the policy of {@code domain} with its known TXT id, unless a discovery of it is already running
     * (whose answer is returned) or, checked under this flight, the held policy is no longer {@code stillDue}.
     */
    public CompletableFuture<Optional<CachedPolicy>> refresh(String domain, Predicate<CachedPolicy> stillDue) {
        CompletableFuture<Optional<CachedPolicy>> flight = new CompletableFuture<>();
        CompletableFuture<Optional<CachedPolicy>> running = inFlight.putIfAbsent(domain, flight);
        if (running != null) {
            return running;
        }
        // re-check under our flight: a refresh that just ended may already have done the work
        if (!(entries.get(domain) instanceof Held held) || !stillDue.test(held.policy())) {
            CompletableFuture<Optional<CachedPolicy>> settled = settledAnswer(domain);
            finish(domain, flight, settled == null ? Optional.empty() : settled.join(), null);
            return flight;
        }
        counters.refresh();
        // RFC 8461 §3.3: with the known id, discovery only checks the TXT record and fetches when the id changed
        discoverAndApply(domain, held.policy().txtId())
                .whenComplete((answer, error) -> finish(domain, flight, answer, error));
        return flight;
    }

    /** The answer entries hold for {@code domain} right now, or null when it needs discovery. */
    private CompletableFuture<Optional<CachedPolicy>> settledAnswer(String domain) {
        long now = clock.millis();
        Entry entry = entries.get(domain);
        if (entry instanceof Held held && now < held.expiresAtMillis) {
            return held.answer;
        }
        if (entry instanceof Absent absent && now < absent.untilMillis) {
            return NO_POLICY;
        }
        return null;
    }

    private void finish(String domain, CompletableFuture<Optional<CachedPolicy>> flight,
                        Optional<CachedPolicy> answer, Throwable error) {
        inFlight.remove(domain, flight);
        if (error != null) {
            // a bug of ours must not block mail: answer "no policy" (fail open)
            log.error("policy lookup of {} failed unexpectedly", LogSafe.escape(domain), error);
            flight.complete(Optional.empty());
        } else {
            flight.complete(answer);
        }
    }

    private CompletableFuture<Optional<CachedPolicy>> discoverAndApply(String domain, String knownTxtId) {
        return discoveries.submit(() -> discovery.discover(domain, knownTxtId))
                .handle((result, error) -> {
                    if (error != null) {
                        log.warn("discovery of {} broke its contract and failed: {}", LogSafe.escape(domain),
                                LogSafe.escape(error.toString()));
                    }
                    return error == null ? result : null;
                })
                .thenCompose(result -> {
                    if (result instanceof Unchanged && knownTxtId != null && !(entries.get(domain) instanceof Held)) {
                        // the policy this id confirms expired while we asked: RFC 8461 §5.1 step 1, fetch afresh
                        return discoverAndApply(domain, null);
                    }
                    return CompletableFuture.completedFuture(apply(domain, result));
                });
    }

    /**
     * Applies a discovery outcome (null: discovery itself broke) to the entry of {@code domain}, persists the
     * change off the request path, and returns the policy now in force.
     */
    private Optional<CachedPolicy> apply(String domain, DiscoveryResult result) {
        Instant now = now();
        CachedPolicy current = entries.get(domain) instanceof Held held ? held.policy() : null;
        if (result instanceof Found found) {
            CachedPolicy next = CachedPolicy.fetched(domain, found.txtId(), found.policy(), now);
            install(next);
            store.write("save policy of " + domain, s -> {
                if (current != null && !current.policy().equals(next.policy())) {
                    recordServed(s, domain, current.policy(), now, now);
                }
                s.save(next);
                recordServed(s, domain, next.policy(), now, now);
            });
            return Optional.of(next);
        }
        if (result instanceof Unchanged && current != null) {
            // RFC 8461 §3.1: the id names one instance of the policy, so this confirms the policy we hold
            CachedPolicy next = current.confirmed(now);
            install(next);
            store.write("save confirmed policy of " + domain, s -> {
                s.save(next);
                recordServed(s, domain, next.policy(), now, now);
            });
            return Optional.of(next);
        }
        if (result instanceof Failed failed) {
            counters.discoveryFailure(failed.type());
            store.write("count discovery failure of " + domain,
                    s -> s.discoveryFailure(domain, now, failed.type(), failed.detail()));
        }
        if (current != null && current.usableAt(now)) {
            // RFC 8461 §3.3, §5.1: no live policy, but a valid cached one: it stays in force
            CachedPolicy next = current.checked(now);
            install(next);
            store.write("save checked policy of " + domain, s -> s.save(next));
            if (current.policy().mode() != PolicyMode.NONE) {
                // RFC 8461 §3.3: alert administrators when a refresh fails, unless the cached mode is none
                log.warn("policy refresh of {} failed ({}); keeping the cached policy until {}", LogSafe.escape(domain),
                        LogSafe.escape(describe(result)), current.expiresAt());
            }
            return Optional.of(next);
        }
        if (current != null) {
            entries.remove(domain);
            store.write("remove expired policy of " + domain, s -> s.remove(domain));
        }
        Duration ttl = result instanceof NoPolicy ? settings.noPolicyTtl() : settings.failureTtl();
        put(domain, new Absent(now.plus(ttl).toEpochMilli()));
        log.debug("no policy for {} ({}), remembered for {} s", LogSafe.escape(domain), LogSafe.escape(describe(result)),
                ttl.toSeconds());
        return Optional.empty();
    }

    private static String describe(DiscoveryResult result) {
        if (result instanceof Failed failed) {
            return failed.type() + ": " + failed.detail();
        }
        if (result instanceof NoPolicy noPolicy) {
            return "no policy: " + noPolicy.reason();
        }
        if (result instanceof Unchanged unchanged) {
            return "TXT id " + unchanged.txtId() + " unchanged, but no policy is cached";
        }
        return "discovery failed unexpectedly";
    }

    private void install(CachedPolicy policy) {
        put(policy.domain(), Held.of(policy, settings.cacheGrace()));
    }

    private void put(String domain, Entry entry) {
        if (entries.put(domain, entry) == null && entries.size() > settings.maxEntries()) {
            evictOneBesides(domain);
        }
    }

    /**
     * Keeps memory within maxEntries: drops a negative entry if there is one, else the policy closest to expiry.
     * A dropped policy stays in the store and is read back on its next lookup, so nothing is downgraded.
     */
    private void evictOneBesides(String keep) {
        purgeExpired();
        if (entries.size() <= settings.maxEntries()) {
            return;
        }
        String victim = null;
        long earliestExpiry = Long.MAX_VALUE;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getKey().equals(keep)) {
                continue;
            }
            if (e.getValue() instanceof Absent) {
                victim = e.getKey();
                break;
            }
            Held held = (Held) e.getValue();
            if (held.expiresAtMillis < earliestExpiry) {
                earliestExpiry = held.expiresAtMillis;
                victim = e.getKey();
            }
        }
        if (victim != null) {
            entries.remove(victim);
        }
    }

    /** Now, in whole seconds: the store keeps epoch seconds, and memory must agree with it. */
    private Instant now() {
        return Instant.ofEpochSecond(Math.floorDiv(clock.millis(), 1000));
    }

    /** Completes when every store operation queued before this call has run. */
    CompletableFuture<Void> flush() {
        return store.flush();
    }

    /** Completes when the background tasks submitted before this call (refresh starts, purges) have run. */
    CompletableFuture<Void> backgroundIdle() {
        return CompletableFuture.runAsync(() -> { }, scheduler);
    }

    /** Stops background work and waits (up to 10 s) for queued store writes; does not close the store. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        store.close();
    }
}
