package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.TlsaStatus;
import io.github.mtasts.tlsrpt.aggregate.DaneDestinations;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether DANE applied to an MX host of a policy domain, found as the daemon finds it (the resolver's
 * {@link DaneDiscovery}: a secure MX RRset, and for the host a secure address and secure TLSA records of which at
 * least one is usable, RFC 7672 §2). Anything short of that, including a lookup that fails or outlasts
 * {@code timeout}, is "not found": the session keeps what its log lines showed.
 */
public final class DnsDaneLookup implements DaneDestinations.Lookup {

    private final DaneDiscovery discovery;
    private final Duration timeout;

    public DnsDaneLookup(DaneDiscovery discovery, Duration timeout) {
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public Optional<TlsaPolicy> usableTlsa(String policyDomain, String mxHost) {
        DaneDiscovery.Discovered discovered = discovery.discover(DaneTarget.mx(policyDomain))
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        if (discovered == null || discovered.state().mx() != DnssecStatus.SECURE) {
            return Optional.empty();
        }
        String host = mxHost.toLowerCase(Locale.ROOT);
        for (DaneHost candidate : discovered.state().hosts()) {
            if (candidate.host().toLowerCase(Locale.ROOT).equals(host)
                    && candidate.status() == TlsaStatus.SECURE_USABLE) {
                return Optional.of(new TlsaPolicy(host, candidate.records().stream().filter(DaneTlsa::usable)
                        .map(DaneTlsa::toString).toList()));
            }
        }
        return Optional.empty();
    }
}
