package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.tlsrpt.aggregate.DaneDestinations;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/**
 * Finds whether DANE applies to an MX host of a policy domain the way Postfix does (RFC 7672 §2.1, §2.2): the MX
 * RRset and the host's {@code _25._tcp} TLSA RRset must both be authenticated, which the AD bit of a validating
 * resolver on loopback says (asked with the DO bit, RFC 6840 §5.7), and at least one record must be usable
 * (DANE-TA(2) or DANE-EE(3), selector 0/1, matching type 0/1/2: RFC 7672 §3.1.3). Any lookup failure means "not
 * found": the session keeps what its log lines showed.
 */
public final class DnsDaneLookup implements DaneDestinations.Lookup {
    private static final int EDNS_PAYLOAD = 1232;

    private final Resolver resolver;

    private DnsDaneLookup(Resolver resolver) {
        this.resolver = resolver;
    }

    /**
     * Asks the system's resolvers, which must all be on loopback: only there is the AD bit safe from forgery, and it
     * is the resolver Postfix trusts too.
     */
    public static DnsDaneLookup system(Duration timeout) {
        List<InetSocketAddress> servers = ResolverConfig.getCurrentConfig().servers();
        if (servers.isEmpty()) {
            throw new IllegalStateException("no DNS resolver is configured");
        }
        for (InetSocketAddress server : servers) {
            if (server.getAddress() == null || !server.getAddress().isLoopbackAddress()) {
                throw new IllegalStateException("resolver " + server + " is not on loopback, so its AD bit cannot be"
                        + " trusted for DANE");
            }
        }
        List<Resolver> each = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver one = new SimpleResolver(server);
            one.setEDNS(0, EDNS_PAYLOAD, Flags.DO, List.of());
            one.setTimeout(timeout);
            each.add(one);
        }
        ExtendedResolver resolver = new ExtendedResolver(each);
        resolver.setTimeout(timeout);
        return new DnsDaneLookup(resolver);
    }

    @Override
    public Optional<TlsaPolicy> usableTlsa(String policyDomain, String mxHost) {
        String host = mxHost.toLowerCase(Locale.ROOT);
        List<Record> mx = authenticated(policyDomain, Type.MX);
        if (mx.stream().noneMatch(r -> r instanceof MXRecord m && hostName(m.getTarget()).equals(host))) {
            return Optional.empty();
        }
        List<String> usable = new ArrayList<>();
        for (Record record : authenticated("_25._tcp." + host, Type.TLSA)) {
            if (record instanceof TLSARecord tlsa && usable(tlsa)) {
                usable.add(tlsa.getCertificateUsage() + " " + tlsa.getSelector() + " " + tlsa.getMatchingType() + " "
                        + HexFormat.of().formatHex(tlsa.getCertificateAssociationData()));
            }
        }
        return usable.isEmpty() ? Optional.empty() : Optional.of(new TlsaPolicy(host, usable));
    }

    /** RFC 7672 §3.1.3. */
    private static boolean usable(TLSARecord tlsa) {
        return (tlsa.getCertificateUsage() == 2 || tlsa.getCertificateUsage() == 3)
                && (tlsa.getSelector() == 0 || tlsa.getSelector() == 1)
                && tlsa.getMatchingType() >= 0 && tlsa.getMatchingType() <= 2;
    }

    /** The answer's records of {@code type} when the resolver authenticated them; else none. */
    private List<Record> authenticated(String name, int type) {
        try {
            Name qname = Name.fromString(name.endsWith(".") ? name : name + ".");
            Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
            query.getHeader().setFlag(Flags.AD);
            Message answer = resolver.send(query);
            if (answer.getRcode() != Rcode.NOERROR || !answer.getHeader().getFlag(Flags.AD)) {
                return List.of();
            }
            return answer.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
        } catch (IOException e) {
            // an unparsable name, a timeout: nothing authenticated
            return List.of();
        }
    }

    private static String hostName(Name name) {
        return name.toString(true).toLowerCase(Locale.ROOT);
    }
}
