package io.github.mtasts.resolver.cache;

import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.discovery.DaneDiscovery.Discovered;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneVerdict;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The DANE state of next hops, each under its own {@link DaneTarget} (a relay's apart from its domain's), in memory,
 * apart from the MTA-STS policies (it has other lifetimes and is never stored: DNS is its store).
 *
 * <p>Invariants:
 * <ul>
 *   <li>A hit reads one map entry and returns a future completed in advance: no I/O, no lock, no allocation.</li>
 *   <li>At most one discovery per target is in flight; it installs its result before it leaves {@code inFlight}.</li>
 *   <li>A state lives no longer than the DNS TTLs it was built from (denials by their SOA minimum, RFC 2308), and
 *       at most {@link #MAX_TTL}; from three quarters of its life on, the first hit refreshes it in the
 *       background, so a next hop in use never waits for DNS again.</li>
 *   <li>An indeterminate state (bogus data, SERVFAIL, timeout) is kept only {@link #RETRY_AFTER}: a short retry,
 *       so a passing resolver problem defers mail once, never for a TTL.</li>
 * </ul>
 */
public final class DaneStateCache {

    public static final Duration MAX_TTL = Duration.ofHours(1);
    public static final Duration MIN_TTL = Duration.ofSeconds(5);
    public static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private record Entry(CompletableFuture<DaneState> answer, long expiresAtMillis, long refreshAtMillis,
                         AtomicBoolean refreshQueued) {
    }

    private final DaneDiscovery discovery;
    private final Clock clock;
    private final int maxEntries;
    private final Consumer<DaneState> discovered;
    private final ConcurrentHashMap<DaneTarget, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<DaneTarget, CompletableFuture<DaneState>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param discovered told of every state discovery finds (for metrics), on discovery's thread
     */
    public DaneStateCache(DaneDiscovery discovery, Clock clock, int maxEntries, Consumer<DaneState> discovered) {
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxEntries = maxEntries;
        this.discovered = Objects.requireNonNull(discovered, "discovered");
    }

    /**
     * The DANE state of {@code target}: at once when cached, else when discovery ends. Never completes
     * exceptionally. A pending answer is the caller's own copy, so a caller that stops waiting
     * ({@code completeOnTimeout}) leaves the shared discovery running to fill the cache.
     */
    public CompletableFuture<DaneState> lookup(DaneTarget target) {
        long now = clock.millis();
        Entry entry = entries.get(target);
        if (entry != null) {
            if (now < entry.expiresAtMillis) {
                if (now >= entry.refreshAtMillis && !entry.refreshQueued.get()
                        && entry.refreshQueued.compareAndSet(false, true)) {
                    discover(target);
                }
                return entry.answer;
            }
            entries.remove(target, entry);
        }
        return discover(target).copy();
    }

    /** Forgets the states of {@code domain} and of its host as a relay, so the next lookups ask DNS. */
    public void forget(String domain) {
        entries.keySet().removeIf(target -> target.name().equals(domain));
    }

    /** Forgets every state. */
    public void forgetAll() {
        entries.clear();
    }

    private CompletableFuture<DaneState> discover(DaneTarget target) {
        CompletableFuture<DaneState> flight = new CompletableFuture<>();
        CompletableFuture<DaneState> running = inFlight.putIfAbsent(target, flight);
        if (running != null) {
            return running;
        }
        CompletableFuture<Discovered> found;
        try {
            found = discovery.discover(target);
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        found.whenComplete((result, error) -> {
            Discovered settled = error != null || result == null
                    ? new Discovered(DaneState.indeterminate(target.toString(), "DANE discovery failed: " + error),
                            Duration.ZERO)
                    : result;
            try {
                install(target, settled);
                discovered.accept(settled.state());
            } finally {
                inFlight.remove(target, flight);
                flight.complete(settled.state());
            }
        });
        return flight;
    }

    private void install(DaneTarget target, Discovered result) {
        Duration ttl = result.state().verdict() == DaneVerdict.INDETERMINATE ? RETRY_AFTER
                : clamp(result.ttl());
        long now = clock.millis();
        if (entries.size() >= maxEntries && !entries.containsKey(target)) {
            entries.values().removeIf(entry -> entry.expiresAtMillis <= now);
            if (entries.size() >= maxEntries) {
                return;
            }
        }
        entries.put(target, new Entry(CompletableFuture.completedFuture(result.state()), now + ttl.toMillis(),
                now + ttl.toMillis() * 3 / 4, new AtomicBoolean()));
    }

    private static Duration clamp(Duration ttl) {
        return ttl.compareTo(MIN_TTL) < 0 ? MIN_TTL : ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
    }
}
