package io.github.mtasts.resolver.discovery;

import io.github.mtasts.resolver.dns.DnssecAnswer;
import io.github.mtasts.resolver.dns.DnssecLookup;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.TlsaStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/**
 * The DANE state of a next hop from DNS (RFC 7672 §2.2): a domain's MX RRset, and for a secure one each host's
 * address and TLSA records at the next hop's port, all hosts asked at once; for a bracketed next hop (§2.2.2, no MX
 * lookup) the host alone, whose address lookup stands in for the MX lookup: secure addresses make it the one host.
 */
public final class DnsDaneDiscovery implements DaneDiscovery {

    /** More MX hosts than any sending MTA tries; the rest cannot change which host Postfix reaches. */
    static final int MAX_HOSTS = 16;

    private final DnssecLookup dns;

    public DnsDaneDiscovery(DnssecLookup dns) {
        this.dns = dns;
    }

    @Override
    public CompletableFuture<Discovered> discover(DaneTarget target) {
        return target.mxLookup() ? viaMx(target) : direct(target);
    }

    private CompletableFuture<Discovered> viaMx(DaneTarget target) {
        String domain = target.name();
        String name = target.toString();
        return dns.query(domain, Type.MX).thenCompose(mx -> {
            if (mx.status() != DnssecStatus.SECURE) {
                return CompletableFuture.completedFuture(new Discovered(
                        new DaneState(name, mx.status(), List.of(), mx.detail()), mx.ttl()));
            }
            List<String> hosts = switch (mx.outcome()) {
                // RFC 7672 §2.2.1: without MX records the domain itself is the host
                case NODATA -> List.of(domain);
                case FOUND -> hosts(mx.records());
                default -> List.of();
            };
            List<CompletableFuture<HostResult>> lookups = new ArrayList<>();
            for (String host : hosts) {
                lookups.add(address(host).thenCompose(address -> host(target, host, address)));
            }
            return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<DaneHost> found = new ArrayList<>();
                Duration ttl = mx.ttl();
                for (CompletableFuture<HostResult> lookup : lookups) {
                    HostResult result = lookup.join();
                    found.add(result.host());
                    ttl = min(ttl, result.ttl());
                }
                return new Discovered(new DaneState(name, DnssecStatus.SECURE, found, mx.detail()), ttl);
            });
        });
    }

    /**
     * RFC 7672 §2.2.2, as Postfix does for {@code [host]:port}: no MX lookup; the host's address records decide
     * whether its TLSA records are looked up at all, as a secure MX RRset does for a domain.
     */
    private CompletableFuture<Discovered> direct(DaneTarget target) {
        String host = target.name();
        return address(host).thenCompose(address -> {
            String detail = "no MX lookup; address: " + address.detail();
            if (address.status() != DnssecStatus.SECURE) {
                return CompletableFuture.completedFuture(new Discovered(
                        new DaneState(target.toString(), address.status(), List.of(), detail), address.ttl()));
            }
            return host(target, host, address).thenApply(result -> new Discovered(
                    new DaneState(target.toString(), DnssecStatus.SECURE, List.of(result.host()), detail),
                    result.ttl()));
        });
    }

    private record HostResult(DaneHost host, Duration ttl) {
    }

    /** The exchanges in preference order, without the null MX (RFC 7505) and duplicates. */
    private static List<String> hosts(List<Record> records) {
        List<MXRecord> mx = new ArrayList<>();
        for (Record record : records) {
            if (record instanceof MXRecord m && !m.getTarget().equals(Name.root)) {
                mx.add(m);
            }
        }
        mx.sort(Comparator.comparingInt(MXRecord::getPriority));
        Set<String> hosts = new LinkedHashSet<>();
        for (MXRecord m : mx) {
            if (hosts.size() < MAX_HOSTS) {
                hosts.add(m.getTarget().toString(true).toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(hosts);
    }

    /**
     * RFC 7672 §2.2.2, as Postfix's {@code tls_dane_resolve}: TLSA records count only for a host whose address
     * records are secure. Reached through a CNAME chain, the host's TLSA records are looked for at the chain's end
     * first, then at the MX host's own name; when the chain ends in an unsigned zone, at the MX host's name only,
     * and only when its CNAME record is itself secure.
     */
    private CompletableFuture<HostResult> host(DaneTarget target, String host, DnssecAnswer address) {
        String alias = alias(host, address);
        if (address.status() == DnssecStatus.SECURE) {
            if (alias == null) {
                return tlsa(target, host, host, address.ttl());
            }
            // the answer at the host's name lives no longer than the denial at the chain's end that led to it
            return tlsa(target, host, alias, address.ttl()).thenCompose(atAlias -> notFound(atAlias)
                    ? tlsa(target, host, host, atAlias.ttl())
                    : CompletableFuture.completedFuture(atAlias));
        }
        if (address.status() == DnssecStatus.INSECURE && alias != null) {
            return dns.query(host, Type.CNAME).thenCompose(cname -> {
                if (cname.status() == DnssecStatus.SECURE && cname.outcome() == DnssecAnswer.Outcome.FOUND) {
                    return tlsa(target, host, host, min(address.ttl(), cname.ttl()));
                }
                TlsaStatus status = cname.outcome() == DnssecAnswer.Outcome.FAILED ? TlsaStatus.INDETERMINATE
                        : TlsaStatus.INSECURE;
                return CompletableFuture.completedFuture(new HostResult(new DaneHost(host, status, List.of(),
                        "address: " + address.detail() + "; " + cname.detail()), min(address.ttl(), cname.ttl())));
            });
        }
        TlsaStatus status = address.status() == DnssecStatus.INSECURE ? TlsaStatus.INSECURE
                : TlsaStatus.INDETERMINATE;
        return CompletableFuture.completedFuture(new HostResult(
                new DaneHost(host, status, List.of(), "address: " + address.detail()), address.ttl()));
    }

    /**
     * The TLSA records of {@code host} published at {@code at} (the host's name, or the end of its CNAME chain), valid
     * for at most {@code notBeyond} (the lifetime of the lookups that led here).
     */
    private CompletableFuture<HostResult> tlsa(DaneTarget target, String host, String at, Duration notBeyond) {
        return dns.query(target.tlsaName(at), Type.TLSA).thenApply(tlsa -> {
            List<DaneTlsa> records = new ArrayList<>();
            for (Record record : tlsa.records()) {
                if (record instanceof TLSARecord t) {
                    records.add(new DaneTlsa(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(),
                            HexFormat.of().formatHex(t.getCertificateAssociationData())));
                }
            }
            TlsaStatus status = TlsaStatus.of(tlsa.status(), tlsa.denied(), records);
            String detail = (at.equals(host) ? "" : host + " is an alias of " + at + "; ") + tlsa.detail();
            return new HostResult(new DaneHost(host, status, records, detail), min(notBeyond, tlsa.ttl()));
        });
    }

    /** Postfix tries the MX host's own name when the chain's end has no TLSA records it can use as found. */
    private static boolean notFound(HostResult atAlias) {
        TlsaStatus status = atAlias.host().status();
        return status == TlsaStatus.SECURE_DENIED || status == TlsaStatus.INSECURE;
    }

    /** The name that owns {@code host}'s address records when a CNAME chain led there, else null. */
    private static String alias(String host, DnssecAnswer address) {
        if (address.outcome() != DnssecAnswer.Outcome.FOUND) {
            return null;
        }
        String owner = address.records().get(0).getName().toString(true).toLowerCase(Locale.ROOT);
        return owner.equals(host) ? null : owner;
    }

    /** The host's A records, or its AAAA records when it provably has no A records. */
    private CompletableFuture<DnssecAnswer> address(String host) {
        return dns.query(host, Type.A).thenCompose(a -> a.status() == DnssecStatus.SECURE && a.denied()
                ? dns.query(host, Type.AAAA)
                : CompletableFuture.completedFuture(a));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
