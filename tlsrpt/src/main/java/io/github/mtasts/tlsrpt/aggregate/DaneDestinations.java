package io.github.mtasts.tlsrpt.aggregate;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether DANE applied to sessions with an MX host of a policy domain (RFC 7672 §2: the domain's MX RRset is secure
 * and the host has usable TLSA records, validated), and with which TLSA records. Postfix's log does not say: at
 * {@code smtp_tls_loglevel = 1} a DANE match logs the same {@code Verified TLS connection} line as a WebPKI one. So the
 * reporter looks the host up itself, once per policy domain, MX host and session day (the records a report shows
 * are then those of the day's first classification, not necessarily of each session's moment; a DANE key rollover
 * keeps old and new records published side by side for a while, RFC 7671 §8.1, so within a day they rarely differ).
 * Bounded; not thread-safe, like {@link PolicyInForce}.
 */
public final class DaneDestinations {
    /** For a sender that does not do DANE (no {@code smtp_dns_support_level = dnssec}): DANE never applies. */
    public static final DaneDestinations NONE = new DaneDestinations((domain, host) -> Optional.empty());
    private static final int MAX_ENTRIES = 10_000;

    /** Looks a destination up in DNS; empty when DANE does not apply to it. */
    @FunctionalInterface
    public interface Lookup {
        Optional<TlsaPolicy> usableTlsa(String policyDomain, String mxHost);
    }

    private final Lookup lookup;
    private final Map<Key, Optional<TlsaPolicy>> known = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Optional<TlsaPolicy>> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    public DaneDestinations(Lookup lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /** The DANE policy of {@code mxHost} for sessions of {@code day}, empty when DANE did not apply. */
    public Optional<TlsaPolicy> policy(String policyDomain, String mxHost, LocalDate day) {
        if (this == NONE) {
            return Optional.empty();
        }
        return known.computeIfAbsent(new Key(policyDomain, mxHost, day),
                key -> lookup.usableTlsa(key.policyDomain(), key.mxHost()));
    }

    private record Key(String policyDomain, String mxHost, LocalDate day) {
    }
}
