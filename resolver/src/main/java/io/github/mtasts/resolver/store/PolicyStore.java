package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The durable facts of the resolver: cached policies, the policies served (for TLSRPT), and discovery failures.
 *
 * <p>Synchronous and possibly slow (disk, network): {@link PolicyCache} calls it only from its own store thread,
 * never on the request path. Every method may throw {@link PolicyStoreException}; callers degrade, they never fail
 * a lookup because of it.
 */
public interface PolicyStore extends AutoCloseable {

    Optional<CachedPolicy> load(String domain);

    /** Every stored policy, expired or not (the caller decides what is still usable). */
    List<CachedPolicy> loadAll();

    /** Inserts or replaces the policy of {@code policy.domain()}. */
    void save(CachedPolicy policy);

    void remove(String domain);

    /**
     * Records that {@code policy} was in force for {@code domain} from {@code from} until {@code until}; repeated calls
     * for the same policy widen its first/last served times.
     */
    void policyServed(String domain, StsPolicy policy, Instant from, Instant until);

    /** Served policies of {@code domain}, ordered by first served time. */
    List<ServedPolicy> servedPolicies(String domain);

    /**
     * Counts one discovery failure of {@code type} for {@code domain} at {@code at} (kept in whole seconds) on the UTC
     * day of {@code at}, widening that day's first/last failure times.
     */
    void discoveryFailure(String domain, Instant at, FailureType type, String detail);

    /** Failure counts of the UTC {@code day}, ordered by domain and type. */
    List<DiscoveryFailureCount> discoveryFailures(LocalDate day);

    /**
     * Failure counts of {@code domain} on every day still kept, ordered by first failure time: TLSRPT judges each
     * session against the failures before it.
     */
    List<DiscoveryFailureCount> discoveryFailures(String domain);

    /**
     * Takes or renews the lease {@code name} for {@code owner} for {@code ttl}: true when it is now held by
     * {@code owner}, false while another owner holds an unexpired lease. Daemons sharing a store use it so that one
     * of them, not all, does a shared chore such as a proactive refresh run. The store's own clock judges expiry, so
     * the daemons' clocks need not agree.
     */
    boolean tryLease(String name, String owner, Duration ttl);

    @Override
    void close();
}
