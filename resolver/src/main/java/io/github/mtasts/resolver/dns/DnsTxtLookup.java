package io.github.mtasts.resolver.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * Asynchronous DNS TXT lookups with dnsjava: {@code _mta-sts.<domain>} for MTA-STS (RFC 8461 §3.1) and
 * {@code _smtp._tls.<domain>} for TLSRPT (RFC 8460 §3). CNAMEs are followed; nothing is cached here (the
 * policy cache above decides when to ask again).
 */
public final class DnsTxtLookup {

    private final LookupSession session;
    private final Duration timeout;
    private final String servers;

    private DnsTxtLookup(Resolver resolver, Duration timeout, String servers) {
        this.session = LookupSession.builder().resolver(resolver).clearCaches().build();
        this.timeout = timeout;
        this.servers = servers;
    }

    /** Uses the system's resolver configuration ({@code /etc/resolv.conf} on Linux). */
    public static DnsTxtLookup system(Duration timeout) {
        return new DnsTxtLookup(systemResolver(timeout), timeout, "system resolvers");
    }

    /** The system's resolvers, each query bounded by {@code timeout}; shared with {@link DnsMxLookup}. */
    static Resolver systemResolver(Duration timeout) {
        ExtendedResolver resolver = new ExtendedResolver();
        resolver.setTimeout(timeout);
        return resolver;
    }

    /** Uses only {@code servers}, asked in order. */
    public static DnsTxtLookup using(List<InetSocketAddress> servers, Duration timeout) {
        return new DnsTxtLookup(resolverFor(servers, timeout), timeout, servers.toString());
    }

    /** A resolver asking only {@code servers}, in order; shared with {@link DnsMxLookup}. */
    static Resolver resolverFor(List<InetSocketAddress> servers, Duration timeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS servers given");
        }
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(timeout);
            resolvers.add(simple);
        }
        ExtendedResolver resolver = new ExtendedResolver(resolvers);
        resolver.setTimeout(timeout);
        return resolver;
    }

    /**
     * Parses a DNS server given as {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}
     * (port 53 when absent). The host must be an IP address: resolving the resolver would need DNS.
     */
    public static InetSocketAddress parseServer(String server) {
        String host = server;
        int port = 53;
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("DNS server \"" + server + "\": missing ']'");
            }
            host = server.substring(1, close);
            if (close + 1 < server.length()) {
                port = parsePort(server, server.substring(close + 1));
            }
        } else if (server.indexOf(':') >= 0 && server.indexOf(':') == server.lastIndexOf(':')) {
            host = server.substring(0, server.indexOf(':'));
            port = parsePort(server, server.substring(server.indexOf(':')));
        }
        if (!Address.isDottedQuad(host) && Address.toByteArray(host, Address.IPv6) == null) {
            throw new IllegalArgumentException("DNS server \"" + server + "\": not an IP address");
        }
        try {
            return new InetSocketAddress(Address.getByAddress(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("DNS server \"" + server + "\": " + e.getMessage(), e);
        }
    }

    private static int parsePort(String server, String colonPort) {
        if (!colonPort.startsWith(":")) {
            throw new IllegalArgumentException("DNS server \"" + server + "\": expected ':port' after the address");
        }
        try {
            int port = Integer.parseInt(colonPort.substring(1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DNS server \"" + server + "\": port must be 1..65535");
        }
    }

    /**
     * Encodes a TXT query with an answer and decodes it again, off the network: loads dnsjava's message code
     * before the first lookup needs it.
     *
     * @throws IOException if dnsjava cannot decode its own encoding
     */
    public void warmUp() throws IOException {
        Name name = Name.fromConstantString("_mta-sts.warm-up.invalid.");
        Message message = Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN));
        message.addRecord(new TXTRecord(name, DClass.IN, 60, "v=STSv1; id=warmup"), Section.ANSWER);
        texts(new Message(message.toWire()).getSection(Section.ANSWER));
    }

    /** TXT records at {@code name} (absolute; a trailing dot is optional). Never completes exceptionally. */
    public CompletableFuture<TxtLookupResult> lookupTxt(String name) {
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(new TxtLookupResult.Failure(name + ": invalid DNS name: " + e.getMessage()));
        }
        CompletableFuture<TxtLookupResult> result = new CompletableFuture<>();
        try {
            session.lookupAsync(qname, Type.TXT).whenComplete((answer, error) -> {
                if (error == null) {
                    List<String> texts = texts(answer.getRecords());
                    // dnsjava reports NODATA as an empty answer rather than NoSuchRRSetException
                    result.complete(texts.isEmpty() ? noData(name) : new TxtLookupResult.Records(texts));
                } else {
                    result.complete(classify(name, error));
                }
            });
        } catch (RuntimeException e) {
            result.complete(new TxtLookupResult.Failure(name + " TXT: " + e));
        }
        // dnsjava bounds each query by the timeout; this guard only catches a lookup that never completes.
        Duration guard = timeout.multipliedBy(2).plusSeconds(1);
        return result.completeOnTimeout(new TxtLookupResult.Failure(name + " TXT: no answer within " + guard
                        + " from " + servers), guard.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static List<String> texts(List<Record> records) {
        List<String> texts = new ArrayList<>();
        for (Record record : records) {
            if (record instanceof TXTRecord txt) {
                // One TXT record's character-strings are joined without separator, as RFC 7208 §3.3 does for SPF.
                texts.add(String.join("", txt.getStrings()));
            }
        }
        return texts;
    }

    private static TxtLookupResult noData(String name) {
        return new TxtLookupResult.NoRecord(name + ": no TXT record (NODATA)");
    }

    private TxtLookupResult classify(String name, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof NoSuchDomainException) {
            return new TxtLookupResult.NoRecord(name + ": NXDOMAIN");
        }
        if (cause instanceof NoSuchRRSetException) {
            return noData(name);
        }
        if (cause instanceof ServerFailedException) {
            return new TxtLookupResult.Failure(name + " TXT: " + Rcode.string(Rcode.SERVFAIL) + " from " + servers);
        }
        if (isTimeout(cause)) {
            return new TxtLookupResult.Failure(name + " TXT: timeout after " + timeout + " asking " + servers);
        }
        return new TxtLookupResult.Failure(name + " TXT: " + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + " (" + servers + ")");
    }

    /** dnsjava reports a query timeout as an IOException whose message says so; shared with {@link DnsMxLookup}. */
    static boolean isTimeout(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException
                    || (t.getMessage() != null && t.getMessage().contains("Timed out"))) {
                return true;
            }
        }
        return false;
    }
}
