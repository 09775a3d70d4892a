package io.github.mtasts.resolver.discovery;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.dns.TxtLookupResult;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.StsTxtRecord;
import io.github.mtasts.resolver.policy.TxtRecordException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * RFC 8461 §3 discovery: the {@code _mta-sts} TXT record, then (when its id is new to the caller) the policy
 * over HTTPS. Every problem becomes a {@link DiscoveryResult}; the returned future never fails.
 */
public final class MtaStsDiscovery implements PolicyDiscovery {

    /** Told of every policy fetch, for its latency; called on the thread that completes the fetch. */
    @FunctionalInterface
    public interface FetchObserver {
        void fetched(FetchResult result, long elapsedNanos);
    }

    private final DnsTxtLookup dns;
    private final PolicyFetcher fetcher;
    private final FetchObserver observer;

    public MtaStsDiscovery(DnsTxtLookup dns, PolicyFetcher fetcher) {
        this(dns, fetcher, (result, elapsedNanos) -> { });
    }

    public MtaStsDiscovery(DnsTxtLookup dns, PolicyFetcher fetcher, FetchObserver observer) {
        this.dns = dns;
        this.fetcher = fetcher;
        this.observer = observer;
    }

    /**
     * Prepares the first discovery off the network: dnsjava's message code, the TLS context and HTTPS client
     * ({@link PolicyFetcher#warmUp()}) and the record and policy parsers.
     *
     * @throws IOException      when DNS or TLS code cannot be prepared
     * @throws RuntimeException when the trust material cannot be built
     */
    public void warmUp() throws IOException {
        dns.warmUp();
        fetcher.warmUp();
        try {
            StsTxtRecord.select(List.of("v=STSv1; id=warmup"));
            StsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mx.warm-up.invalid\r\nmax_age: 86400\r\n");
        } catch (TxtRecordException | PolicySyntaxException e) {
            throw new IllegalStateException("the warm-up record or policy does not parse: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<DiscoveryResult> discover(String domain, String knownTxtId) {
        try {
            return dns.lookupTxt("_mta-sts." + domain)
                    .thenCompose(txt -> afterTxt(domain, knownTxtId, txt))
                    .exceptionally(error -> unexpected(domain, error));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(unexpected(domain, e));
        }
    }

    /**
     * The rest of {@link #discover} after a TXT lookup the caller made itself ({@code mtasts query} prints the record
     * before fetching; looking it up again would wait for the DNS a second time). Never fails.
     */
    public CompletableFuture<DiscoveryResult> discover(String domain, String knownTxtId, TxtLookupResult txt) {
        try {
            return afterTxt(domain, knownTxtId, txt).exceptionally(error -> unexpected(domain, error));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(unexpected(domain, e));
        }
    }

    private CompletableFuture<DiscoveryResult> afterTxt(String domain, String knownTxtId, TxtLookupResult txt) {
        if (txt instanceof TxtLookupResult.NoRecord none) {
            return done(new DiscoveryResult.NoPolicy(none.reason()));
        }
        if (txt instanceof TxtLookupResult.Failure failure) {
            return done(new DiscoveryResult.Failed(FailureType.DNS_FAILURE, failure.detail()));
        }
        List<String> texts = ((TxtLookupResult.Records) txt).texts();
        StsTxtRecord record;
        try {
            record = StsTxtRecord.select(texts);
        } catch (TxtRecordException e) {
            return done(switch (e.kind()) {
                case NO_RECORD -> new DiscoveryResult.NoPolicy("_mta-sts." + domain + ": " + e.getMessage());
                // RFC 8461 §3.1 treats several STS records like an invalid one: no policy is available. Reporting
                // it as TXT_INVALID (rather than NoPolicy) keeps the publisher's mistake visible in logs, metrics
                // and TLSRPT, while the cache still serves an unexpired policy (RFC 8461 §5) in both cases.
                case MULTIPLE_RECORDS, INVALID -> new DiscoveryResult.Failed(FailureType.TXT_INVALID,
                        "_mta-sts." + domain + ": " + e.getMessage());
            });
        }
        if (record.id().equals(knownTxtId)) {
            // RFC 8461 §3.3: the policy is only fetched again when the id changed.
            return done(new DiscoveryResult.Unchanged(record.id()));
        }
        long started = System.nanoTime();
        return fetcher.fetch(domain).thenApply(fetched -> {
            observer.fetched(fetched, System.nanoTime() - started);
            return afterFetch(domain, record, fetched);
        });
    }

    private DiscoveryResult afterFetch(String domain, StsTxtRecord record, FetchResult fetched) {
        if (fetched instanceof FetchResult.Failure failure) {
            return new DiscoveryResult.Failed(failure.type(), failure.detail());
        }
        String text = ((FetchResult.Body) fetched).text();
        try {
            return new DiscoveryResult.Found(record.id(), StsPolicy.parse(text));
        } catch (PolicySyntaxException e) {
            return new DiscoveryResult.Failed(FailureType.POLICY_INVALID, fetcher.policyUri(domain) + ": " + e.getMessage());
        }
    }

    private static DiscoveryResult unexpected(String domain, Throwable error) {
        // Our own bug must not block mail: it becomes a failure the cache treats like any other.
        return new DiscoveryResult.Failed(FailureType.POLICY_FETCH_ERROR,
                "discovery of " + domain + " failed unexpectedly: " + error);
    }

    private static CompletableFuture<DiscoveryResult> done(DiscoveryResult result) {
        return CompletableFuture.completedFuture(result);
    }
}
