package io.github.mtasts.resolver.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * Asynchronous MX and address (A, AAAA) lookups with dnsjava, set up like {@link DnsTxtLookup}: the domain's mail
 * exchangers and their addresses, as a sending MTA finds them (RFC 5321 §5.1). Nothing is cached.
 */
public final class DnsMxLookup {

    private final LookupSession session;
    private final Duration timeout;
    private final String servers;

    private DnsMxLookup(Resolver resolver, Duration timeout, String servers) {
        this.session = LookupSession.builder().resolver(resolver).clearCaches().build();
        this.timeout = timeout;
        this.servers = servers;
    }

    /** Uses the system's resolver configuration. */
    public static DnsMxLookup system(Duration timeout) {
        return new DnsMxLookup(DnsTxtLookup.systemResolver(timeout), timeout, "system resolvers");
    }

    /** Uses only {@code servers}, asked in order. */
    public static DnsMxLookup using(List<InetSocketAddress> servers, Duration timeout) {
        return new DnsMxLookup(DnsTxtLookup.resolverFor(servers, timeout), timeout, servers.toString());
    }

    /** The MX records of {@code domain}, lowest preference first. Never completes exceptionally. */
    public CompletableFuture<DnsAnswer<MxHost>> lookupMx(String domain) {
        return lookup(domain, Type.MX).thenApply(answer -> {
            if (!(answer instanceof DnsAnswer.Found<Record> found)) {
                return retype(answer);
            }
            List<MxHost> hosts = new ArrayList<>();
            for (Record record : found.values()) {
                if (record instanceof MXRecord mx) {
                    hosts.add(new MxHost(hostName(mx.getTarget()), mx.getPriority()));
                }
            }
            hosts.sort(Comparator.comparingInt(MxHost::preference).thenComparing(MxHost::name));
            return hosts.isEmpty() ? new DnsAnswer.NoRecord<>(domain + ": no MX record (NODATA)") : new DnsAnswer.Found<>(hosts);
        });
    }

    /**
     * The IPv4 and IPv6 addresses of {@code host}: found when either type has records; a failure of one type is
     * reported only when the other found nothing. Never completes exceptionally.
     */
    public CompletableFuture<DnsAnswer<InetAddress>> lookupAddresses(String host) {
        CompletableFuture<DnsAnswer<Record>> a = lookup(host, Type.A);
        CompletableFuture<DnsAnswer<Record>> aaaa = lookup(host, Type.AAAA);
        return a.thenCombine(aaaa, (v4, v6) -> {
            List<InetAddress> addresses = new ArrayList<>();
            for (DnsAnswer<Record> answer : List.of(v4, v6)) {
                if (answer instanceof DnsAnswer.Found<Record> found) {
                    for (Record record : found.values()) {
                        if (record instanceof ARecord ar) {
                            addresses.add(ar.getAddress());
                        } else if (record instanceof AAAARecord ar) {
                            addresses.add(ar.getAddress());
                        }
                    }
                }
            }
            if (!addresses.isEmpty()) {
                return new DnsAnswer.Found<>(addresses);
            }
            if (v4 instanceof DnsAnswer.Failure<Record> failure) {
                return new DnsAnswer.Failure<>(failure.detail());
            }
            if (v6 instanceof DnsAnswer.Failure<Record> failure) {
                return new DnsAnswer.Failure<>(failure.detail());
            }
            return new DnsAnswer.NoRecord<>(host + ": no A or AAAA record");
        });
    }

    private CompletableFuture<DnsAnswer<Record>> lookup(String name, int type) {
        String what = name + " " + Type.string(type);
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(new DnsAnswer.Failure<>(name + ": invalid DNS name: " + e.getMessage()));
        }
        CompletableFuture<DnsAnswer<Record>> result = new CompletableFuture<>();
        try {
            session.lookupAsync(qname, type).whenComplete((answer, error) -> {
                if (error != null) {
                    result.complete(classify(what, error));
                } else if (answer.getRecords().isEmpty()) {
                    result.complete(new DnsAnswer.NoRecord<>(what + ": no record (NODATA)"));
                } else {
                    result.complete(new DnsAnswer.Found<>(answer.getRecords()));
                }
            });
        } catch (RuntimeException e) {
            result.complete(new DnsAnswer.Failure<>(what + ": " + e));
        }
        // as in DnsTxtLookup: dnsjava bounds each query; this guard only catches a lookup that never completes
        Duration guard = timeout.multipliedBy(2).plusSeconds(1);
        return result.completeOnTimeout(new DnsAnswer.Failure<>(what + ": no answer within " + guard + " from " + servers),
                guard.toMillis(), TimeUnit.MILLISECONDS);
    }

    private DnsAnswer<Record> classify(String what, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof NoSuchDomainException) {
            return new DnsAnswer.NoRecord<>(what + ": NXDOMAIN");
        }
        if (cause instanceof NoSuchRRSetException) {
            return new DnsAnswer.NoRecord<>(what + ": no record (NODATA)");
        }
        if (cause instanceof ServerFailedException) {
            return new DnsAnswer.Failure<>(what + ": SERVFAIL from " + servers);
        }
        if (DnsTxtLookup.isTimeout(cause)) {
            return new DnsAnswer.Failure<>(what + ": timeout after " + timeout + " asking " + servers);
        }
        return new DnsAnswer.Failure<>(what + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + " (" + servers + ")");
    }

    private static <T> DnsAnswer<T> retype(DnsAnswer<Record> answer) {
        if (answer instanceof DnsAnswer.NoRecord<Record> none) {
            return new DnsAnswer.NoRecord<>(none.reason());
        }
        return new DnsAnswer.Failure<>(((DnsAnswer.Failure<Record>) answer).detail());
    }

    /** The root name stays "." so a null MX (RFC 7505) is recognisable. */
    private static String hostName(Name name) {
        return name.equals(Name.root) ? "." : name.toString(true).toLowerCase(Locale.ROOT);
    }
}
