package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.daemon.DaneSetup;
import io.github.mtasts.resolver.discovery.DnsDaneDiscovery;
import io.github.mtasts.resolver.dns.DnssecLookup;
import io.github.mtasts.resolver.dns.UntrustedResolverException;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.MtaStsDiscovery;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.dns.TxtLookupResult;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.socketmap.PostfixReply;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code mtasts query}: discovers a domain's policy now, without any cache, and prints the TXT record, the policy
 * and the exact reply Postfix would get. Exit 0: a valid policy; 1: the domain has no policy; 3: discovery failed.
 * When an override answers for the domain, the discovery is still shown, the reply is the override's, and the exit
 * code follows it: 0 for an {@code OK} answer, 1 for {@code NOTFOUND}. In a zone whose {@code dane} is on (or
 * {@code auto} and Postfix does DNSSEC), the next hop's DANE state is printed too (a bracketed relay's own, as the
 * daemon looks it up), and the reply is the composed one.
 */
final class PolicyQuery implements QueryRunner {

    static final int NO_POLICY = 1;
    static final int DISCOVERY_FAILED = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final PrintWriter out;
    private final PrintWriter err;
    private final int policyPort;

    PolicyQuery(PrintWriter out, PrintWriter err) {
        this(out, err, PolicyFetcher.HTTPS_PORT);
    }

    /** @param policyPort HTTPS port of policy hosts: 443 except in tests */
    PolicyQuery(PrintWriter out, PrintWriter err, int policyPort) {
        this.out = out;
        this.err = err;
        this.policyPort = policyPort;
    }

    @Override
    public int run(DaemonConfig config, ZoneConfig zone, String key, Optional<String> knownVersion) {
        DomainKey parsed;
        try {
            parsed = DomainKey.parse(key);
        } catch (InvalidDomainKeyException e) {
            out.println("postfix reply: " + PostfixReply.NOT_FOUND + "(no lookup: " + e.getMessage() + ")");
            out.flush();
            return NO_POLICY;
        }
        String domain = parsed.domain();
        // One budget for the whole discovery: the TXT lookup is made once (printed, then handed to the discovery),
        // bounded by dns.timeout when that is shorter, and the policy fetch gets what the lookup left. Every
        // timeout a message states is the one that ran out, and the command ends within TIMEOUT of its start.
        long started = System.nanoTime();
        Duration dnsTimeout = config.dns().timeout().filter(t -> t.compareTo(TIMEOUT) < 0).orElse(TIMEOUT);
        DnsTxtLookup dns = config.dns().nameservers().isEmpty()
                ? DnsTxtLookup.system(dnsTimeout) : DnsTxtLookup.using(config.dns().nameservers(), dnsTimeout);
        TxtLookupResult txt = dns.lookupTxt("_mta-sts." + domain).join();
        out.println("_mta-sts." + domain + " TXT: " + describe(txt));

        Optional<PolicyOverride> override = config.overrides().find(domain);
        Duration left = TIMEOUT.minusNanos(System.nanoTime() - started);
        PolicyFetcher fetcher = PolicyFetcher.create(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left,
                config.caFile(), policyPort);
        DiscoveryResult result = new MtaStsDiscovery(dns, fetcher).discover(domain, knownVersion.orElse(null), txt).join();
        // with an override the discovered policy is shown for information only; the answer is the override's
        // as the daemon answers: a bracketed next hop gets no mx_host_pattern, and the DANE state of the relay itself
        boolean viaMx = !DomainKey.skipsMxLookup(key);
        Optional<DnssecLookup> dnssec = daneLookups(config, zone);
        boolean dane = dnssec.isPresent();
        String replyLabel = override.isPresent() ? "the discovered policy would answer: "
                : dane ? "MTA-STS answer: " : "postfix reply: ";
        String stsReply = PostfixReply.NOT_FOUND;
        int exit = 0;
        if (result instanceof DiscoveryResult.Found found) {
            out.println("policy id " + found.txtId() + " from " + fetcher.policyUri(domain) + ":");
            found.policy().lines().forEach(line -> out.println("  " + line));
            stsReply = PostfixReply.forPolicy(domain, found.policy(),
                    new PostfixReply.ReplyOptions(zone.strictTesting(), zone.requireSni(), zone.tlsrpt()), viaMx);
            out.println(replyLabel + stsReply);
        } else if (result instanceof DiscoveryResult.Unchanged unchanged) {
            out.println("policy id " + unchanged.txtId() + " unchanged (known_version matches); not fetched");
        } else if (result instanceof DiscoveryResult.NoPolicy none) {
            out.println("no policy: " + none.reason());
            out.println(replyLabel + PostfixReply.NOT_FOUND);
            exit = NO_POLICY;
        } else if (result instanceof DiscoveryResult.Failed failed) {
            err.println("discovery failed (" + failed.type() + "): " + failed.detail());
            out.println(replyLabel + PostfixReply.NOT_FOUND);
            if (override.isEmpty()) {
                // RFC 8461 §5: the daemon keeps serving an unexpired cached policy when a refresh fails
                out.println("(a daemon holding an unexpired cached policy for " + domain + " keeps answering with it)");
            }
            exit = DISCOVERY_FAILED;
        }
        if (dane) {
            String reply = PostfixReply.withDane(stsReply,
                    daneState(dnssec.get(), DaneTarget.of(key, parsed)).verdict());
            out.println((override.isPresent() ? "with DANE the discovered policy would answer: " : "postfix reply: ")
                    + reply);
        }
        if (override.isPresent()) {
            String reply = PostfixReply.forOverride(override.get(), zone.requireSni());
            out.println("postfix reply: " + reply + " (from the override for " + override.get().pattern()
                    + "; the daemon answers it without discovery)");
            exit = reply.startsWith("OK") ? 0 : NO_POLICY;
        }
        out.flush();
        err.flush();
        return exit;
    }

    /**
     * The DNSSEC lookups when the zone's {@code dane} is on as the daemon would decide it at start; {@code auto} and
     * an unusable DNSSEC status source are explained on one line each.
     */
    private Optional<DnssecLookup> daneLookups(DaemonConfig config, ZoneConfig zone) {
        if (zone.dane() == DaneMode.OFF) {
            return Optional.empty();
        }
        if (zone.dane() == DaneMode.AUTO) {
            DaneSetup.PostfixDnssec postfix = DaneSetup.postfixDnssec();
            out.println("dane: auto is " + postfix);
            if (!postfix.on()) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(DaneSetup.source(config, TIMEOUT));
        } catch (UntrustedResolverException e) {
            out.println("dane: off, no trustworthy DNSSEC status: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The DANE state as the daemon would find it, printed: MX status (a relay's address status), then each host's
     * TLSA status and records.
     */
    private DaneState daneState(DnssecLookup dnssec, DaneTarget target) {
        out.println("DANE, DNSSEC status from " + dnssec.source() + ":");
        DaneState state = new DnsDaneDiscovery(dnssec).discover(target)
                .completeOnTimeout(null, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(found -> found == null
                        ? DaneState.indeterminate(target.toString(), "no DANE state within " + TIMEOUT)
                        : found.state())
                .join();
        out.println("  " + (target.mxLookup() ? "MX " : target + " without MX lookup, address ")
                + word(state.mx().name()) + " (" + state.detail() + ")");
        for (DaneHost host : state.hosts()) {
            out.println("  " + host.host() + ": TLSA " + word(host.status().name()) + " (" + host.detail() + ")");
            for (DaneTlsa record : host.records()) {
                out.println("    TLSA " + record + (record.usable() ? "" : " (unusable for SMTP)"));
            }
        }
        out.println("  DANE " + switch (state.verdict()) {
            case APPLIES -> "applies";
            case INDETERMINATE -> "is indeterminate (Postfix's own DANE lookups decide, deferring on bogus data)";
            case DOES_NOT_APPLY -> "does not apply";
        });
        return state;
    }

    private static String word(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String describe(TxtLookupResult txt) {
        if (txt instanceof TxtLookupResult.Records records) {
            return records.texts().stream().map(t -> "\"" + t + "\"").reduce((a, b) -> a + ", " + b).orElse("none");
        }
        if (txt instanceof TxtLookupResult.NoRecord none) {
            return "none (" + none.reason() + ")";
        }
        return "lookup failed (" + ((TxtLookupResult.Failure) txt).detail() + ")";
    }
}
