package io.github.mtasts.resolver.dns;

import io.github.mtasts.resolver.policy.DnssecStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * DNS queries whose answers carry a DNSSEC status, for DANE (RFC 7672 §2.1). Two sources of that status:
 * <ul>
 * <li>{@link #trustingResolver}: the AD bit of a validating resolver, asked with AD and DO set (RFC 6840 §5.7),
 *     trusted only on loopback, the one path an attacker cannot forge it on (Postfix trusts it likewise);</li>
 * <li>{@link #validating}: dnsjava's own validator from a trust anchor file, for hosts without such a resolver.</li>
 * </ul>
 * Nothing is cached here. Never completes exceptionally: every failure is an {@link DnssecStatus#INDETERMINATE}
 * answer.
 */
public final class DnssecLookup {

    private static final int EDNS_PAYLOAD = 1232;

    private final Resolver resolver;
    private final Duration timeout;
    private final String source;

    private DnssecLookup(Resolver resolver, Duration timeout, String source) {
        this.resolver = resolver;
        this.timeout = timeout;
        this.source = source;
    }

    /**
     * Trusts the AD bit of {@code servers} (empty: the system's resolvers).
     *
     * @throws UntrustedResolverException when a server is not on loopback: its AD bit could be forged on the way
     */
    public static DnssecLookup trustingResolver(List<InetSocketAddress> servers, Duration timeout)
            throws UntrustedResolverException {
        List<InetSocketAddress> effective = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
        if (effective.isEmpty()) {
            throw new UntrustedResolverException("no DNS resolver is configured");
        }
        for (InetSocketAddress server : effective) {
            if (server.getAddress() == null || !server.getAddress().isLoopbackAddress()) {
                throw new UntrustedResolverException("resolver " + server + " is not on loopback, so its AD bit"
                        + " cannot be trusted; run a local validating resolver or set dnssec.validation: internal");
            }
        }
        return new DnssecLookup(DnsTxtLookup.resolverFor(effective, timeout), timeout,
                "resolver " + effective + " (AD bit)");
    }

    /**
     * Validates answers itself from the DS or DNSKEY records in {@code trustAnchors}, asking {@code servers}
     * (empty: the system's resolvers) for the data and the signatures.
     */
    public static DnssecLookup validating(List<InetSocketAddress> servers, InputStream trustAnchors, Duration timeout)
            throws IOException {
        Resolver upstream = servers.isEmpty() ? DnsTxtLookup.systemResolver(timeout)
                : DnsTxtLookup.resolverFor(servers, timeout);
        ValidatingResolver validating = new ValidatingResolver(upstream);
        validating.loadTrustAnchors(trustAnchors);
        validating.setTimeout(timeout);
        return new DnssecLookup(validating, timeout, "internal validation via "
                + (servers.isEmpty() ? "system resolvers" : servers.toString()));
    }

    /** Where the DNSSEC status comes from, for logs and {@code mtasts query}. */
    public String source() {
        return source;
    }

    /** The records of {@code type} at {@code name} with their DNSSEC status. */
    public CompletableFuture<DnssecAnswer> query(String name, int type) {
        String what = name + " " + Type.string(type);
        Message query;
        try {
            Name qname = Name.fromString(name.endsWith(".") ? name : name + ".");
            query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(DnssecAnswer.failed(what + ": invalid DNS name"));
        }
        query.getHeader().setFlag(Flags.AD);
        query.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
        CompletableFuture<DnssecAnswer> result = new CompletableFuture<>();
        try {
            resolver.sendAsync(query).whenComplete((response, error) -> result.complete(error != null
                    ? DnssecAnswer.failed(what + ": " + describe(error) + " (" + source + ")")
                    : classify(what, type, response)));
        } catch (RuntimeException e) {
            result.complete(DnssecAnswer.failed(what + ": " + e));
        }
        // dnsjava bounds each query; this guard only catches a lookup that never completes
        Duration guard = timeout.multipliedBy(2).plusSeconds(1);
        return result.completeOnTimeout(DnssecAnswer.failed(what + ": no answer within " + guard + " (" + source
                + ")"), guard.toMillis(), TimeUnit.MILLISECONDS);
    }

    private DnssecAnswer classify(String what, int type, Message response) {
        int rcode = response.getRcode();
        DnssecStatus status = response.getHeader().getFlag(Flags.AD) ? DnssecStatus.SECURE : DnssecStatus.INSECURE;
        if (rcode == Rcode.NXDOMAIN) {
            return new DnssecAnswer(status, DnssecAnswer.Outcome.NXDOMAIN, List.of(), negativeTtl(response),
                    what + ": NXDOMAIN, " + word(status));
        }
        if (rcode != Rcode.NOERROR) {
            // a validating resolver answers bogus data with SERVFAIL (RFC 4035 §5.5)
            return DnssecAnswer.failed(what + ": " + Rcode.string(rcode) + " (" + source + ")");
        }
        List<Record> records = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (Record record : response.getSection(Section.ANSWER)) {
            ttl = Math.min(ttl, record.getTTL());
            if (record.getType() == type) {
                records.add(record);
            }
        }
        if (records.isEmpty()) {
            return new DnssecAnswer(status, DnssecAnswer.Outcome.NODATA, List.of(), negativeTtl(response),
                    what + ": no record (NODATA), " + word(status));
        }
        return new DnssecAnswer(status, DnssecAnswer.Outcome.FOUND, records, Duration.ofSeconds(ttl),
                what + ": " + records.size() + " record(s), " + word(status));
    }

    /** RFC 2308 §5: a denial is cached for the smaller of the SOA's TTL and its minimum field. */
    private static Duration negativeTtl(Message response) {
        for (Record record : response.getSection(Section.AUTHORITY)) {
            if (record instanceof SOARecord soa) {
                return Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum()));
            }
        }
        return Duration.ZERO;
    }

    private static String word(DnssecStatus status) {
        return status == DnssecStatus.SECURE ? "secure" : "insecure";
    }

    private String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (DnsTxtLookup.isTimeout(cause)) {
            return "timeout after " + timeout;
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
