package io.github.mtasts.resolver.policy;

import java.util.List;
import java.util.Objects;

/**
 * The DANE state of a next hop (RFC 7672 §2): the DNSSEC status of its MX RRset (or of the implicit MX,
 * RFC 7672 §2.2.1, when it has none) and, for a secure MX RRset, what each MX host's TLSA lookup found. A next hop
 * reached without MX lookup ({@link DaneTarget}) has its host as the one "MX host", and the DNSSEC status of that
 * host's address lookup in place of the MX RRset's (§2.2.2).
 *
 * @param domain   the next hop, as {@link DaneTarget#toString()} writes it
 * @param mx       the DNSSEC status of the MX lookup (of the address lookup without MX lookup)
 * @param hosts    the MX hosts in preference order; empty unless {@code mx} is secure
 * @param detail   how the MX lookup went, for humans
 */
public record DaneState(String domain, DnssecStatus mx, List<DaneHost> hosts, String detail) {

    public DaneState {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(mx, "mx");
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(detail, "detail");
        if (mx != DnssecStatus.SECURE && !hosts.isEmpty()) {
            throw new IllegalArgumentException("TLSA records count only for the hosts of a secure MX RRset");
        }
    }

    /** The state of a domain whose MX lookup did not finish in time or failed. */
    public static DaneState indeterminate(String domain, String detail) {
        return new DaneState(domain, DnssecStatus.INDETERMINATE, List.of(), detail);
    }

    /** RFC 7672 §2.2: whether DANE applies, cannot be determined, or does not apply. */
    public DaneVerdict verdict() {
        return switch (mx) {
            case INSECURE -> DaneVerdict.DOES_NOT_APPLY;
            case INDETERMINATE -> DaneVerdict.INDETERMINATE;
            case SECURE -> {
                boolean indeterminate = false;
                for (DaneHost host : hosts) {
                    if (host.status() == TlsaStatus.SECURE_USABLE) {
                        yield DaneVerdict.APPLIES;
                    }
                    indeterminate |= host.status() == TlsaStatus.INDETERMINATE;
                }
                yield indeterminate ? DaneVerdict.INDETERMINATE : DaneVerdict.DOES_NOT_APPLY;
            }
        };
    }
}
