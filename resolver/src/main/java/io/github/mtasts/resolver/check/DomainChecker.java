package io.github.mtasts.resolver.check;

import io.github.mtasts.resolver.dns.DnsAnswer;
import io.github.mtasts.resolver.dns.DnsMxLookup;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.discovery.FetchResult;
import io.github.mtasts.resolver.dns.MxHost;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.TxtLookupResult;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.ReportUri;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.StsTxtRecord;
import io.github.mtasts.resolver.policy.TlsRptRecord;
import io.github.mtasts.resolver.policy.TlsRptRecordException;
import io.github.mtasts.resolver.policy.TxtRecordException;
import io.github.mtasts.resolver.socketmap.PostfixReply;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The domain owner's pre-flight check: everything a sender honouring an MTA-STS policy will look at, each reported
 * as an item (OK, WARN or FAIL with the reason), then the {@link Verdict}. DNS lookups, the policy fetch and every
 * MX address run concurrently; each has its own timeout, so one dead MX leaves the others checked.
 *
 * <p>max_age: below one day is a WARN (senders refetch often, and an attacker who blocks the fetch for a day
 * downgrades them, RFC 8461 §10.2). {@code mode: testing} with a max_age above one week is a WARN too: a
 * long-lived policy that enforces nothing looks like a trial that was never finished; RFC 8461 §3.2 intends
 * testing as the step before enforce.
 */
public final class DomainChecker {

    static final long ONE_DAY = 86_400;
    static final long ONE_WEEK = 7 * ONE_DAY;

    private final DnsTxtLookup txt;
    private final DnsMxLookup mx;
    private final PolicyFetcher fetcher;
    private final SmtpTlsProbe smtp;
    private final Duration probeBudget;

    /**
     * @param probeBudget bound on one MX address's whole SMTP conversation; past it the address is a FAIL
     */
    public DomainChecker(DnsTxtLookup txt, DnsMxLookup mx, PolicyFetcher fetcher, SmtpTlsProbe smtp, Duration probeBudget) {
        this.txt = txt;
        this.mx = mx;
        this.fetcher = fetcher;
        this.smtp = smtp;
        this.probeBudget = probeBudget;
    }

    /** Checks {@code domain} (a normalised policy domain); never throws for anything the domain publishes. */
    public CheckReport check(String domain) {
        return check(domain, PolicyOverrides.NONE);
    }

    /**
     * As {@link #check(String)}, with a first item saying so when one of this host's {@code overrides} answers for
     * {@code domain}: the domain's set-up is still checked, since other senders still use it.
     */
    public CheckReport check(String domain, PolicyOverrides overrides) {
        CompletableFuture<TxtLookupResult> stsTxt = txt.lookupTxt("_mta-sts." + domain);
        CompletableFuture<FetchResult> policyBody = fetcher.fetch(domain);
        CompletableFuture<DnsAnswer<MxHost>> mxHosts = mx.lookupMx(domain);
        CompletableFuture<TxtLookupResult> tlsrptTxt = txt.lookupTxt("_smtp._tls." + domain);

        List<CheckItem> items = new ArrayList<>();
        overrides.find(domain).ifPresent(override -> items.add(overrideItem(domain, override)));
        items.add(stsTxtItem(domain, stsTxt.join()));
        Optional<StsPolicy> policy = policyItems(domain, policyBody.join(), items);
        mxItems(domain, mxHosts.join(), policy, items);
        items.add(tlsrptItem(domain, tlsrptTxt.join()));
        return new CheckReport(domain, items, Verdict.of(items, policy.map(StsPolicy::mode)));
    }

    private static CheckItem overrideItem(String domain, PolicyOverride override) {
        String answer = switch (override.outcome()) {
            case NONE -> "NOTFOUND (Postfix's smtp_tls_security_level applies)";
            case SECURE -> "\"" + PostfixReply.forOverride(override, false)
                    + "\" (with servername=hostname in zones with require_sni)";
            default -> "\"" + PostfixReply.forOverride(override, false) + "\"";
        };
        return CheckItem.warn(CheckSection.OVERRIDE, "overrides " + override.pattern(), "this host's daemon answers "
                + domain + " with " + answer + " in every zone, without MTA-STS discovery; the items below are what"
                + " other senders see");
    }

    private static CheckItem stsTxtItem(String domain, TxtLookupResult result) {
        String name = "_mta-sts." + domain;
        if (result instanceof TxtLookupResult.Records records) {
            try {
                StsTxtRecord record = StsTxtRecord.select(records.texts());
                return CheckItem.ok(CheckSection.MTA_STS_TXT, name, "one valid STS record, id " + record.id());
            } catch (TxtRecordException e) {
                return CheckItem.fail(CheckSection.MTA_STS_TXT, name, e.getMessage());
            }
        }
        if (result instanceof TxtLookupResult.NoRecord none) {
            return CheckItem.fail(CheckSection.MTA_STS_TXT, name,
                    "no TXT record (" + none.reason() + "): senders never look for the policy (RFC 8461 §3.1)");
        }
        return CheckItem.fail(CheckSection.MTA_STS_TXT, name, "lookup failed: " + ((TxtLookupResult.Failure) result).detail());
    }

    private Optional<StsPolicy> policyItems(String domain, FetchResult result, List<CheckItem> items) {
        String url = fetcher.policyUri(domain).toString();
        if (result instanceof FetchResult.Failure failure) {
            items.add(CheckItem.fail(CheckSection.POLICY, url, failure.type().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + ": " + failure.detail()));
            return Optional.empty();
        }
        StsPolicy policy;
        try {
            policy = StsPolicy.parse(((FetchResult.Body) result).text());
        } catch (PolicySyntaxException e) {
            items.add(CheckItem.fail(CheckSection.POLICY, url, "invalid policy: " + e.getMessage()));
            return Optional.empty();
        }
        items.add(CheckItem.ok(CheckSection.POLICY, url, "fetched and valid: mode " + policy.mode().wireName()
                + ", max_age " + policy.maxAge() + ", mx " + policy.mx()));
        items.add(maxAgeItem(policy));
        return Optional.of(policy);
    }

    private static CheckItem maxAgeItem(StsPolicy policy) {
        long maxAge = policy.maxAge();
        String days = String.format("%.1f days", maxAge / (double) ONE_DAY);
        if (maxAge < ONE_DAY) {
            return CheckItem.warn(CheckSection.POLICY, "max_age", maxAge + " s (" + days + ") is under one day: "
                    + "senders forget the policy quickly, leaving a downgrade window (RFC 8461 §10.2); weeks are usual");
        }
        if (policy.mode() == PolicyMode.TESTING && maxAge > ONE_WEEK) {
            return CheckItem.warn(CheckSection.POLICY, "max_age", "mode testing with max_age " + maxAge + " s (" + days
                    + "): a long-lived policy that enforces nothing; move to enforce once TLSRPT reports are clean");
        }
        return CheckItem.ok(CheckSection.POLICY, "max_age", maxAge + " s (" + days + ")");
    }

    private void mxItems(String domain, DnsAnswer<MxHost> answer, Optional<StsPolicy> policy, List<CheckItem> items) {
        if (answer instanceof DnsAnswer.NoRecord<MxHost> none) {
            items.add(CheckItem.fail(CheckSection.MX, domain, "no MX record: " + none.reason()));
            return;
        }
        if (answer instanceof DnsAnswer.Failure<MxHost> failure) {
            items.add(CheckItem.fail(CheckSection.MX, domain, "MX lookup failed: " + failure.detail()));
            return;
        }
        List<MxHost> hosts = ((DnsAnswer.Found<MxHost>) answer).values();
        if (hosts.stream().anyMatch(h -> h.name().equals("."))) {
            items.add(CheckItem.fail(CheckSection.MX, domain, "null MX (RFC 7505): the domain receives no mail, "
                    + "so an MTA-STS policy has nothing to protect"));
            return;
        }
        List<MxPattern> patterns = policy.filter(p -> p.mode() != PolicyMode.NONE).map(StsPolicy::mx).orElse(List.of());
        for (MxHost host : hosts) {
            String subject = host.name() + " (preference " + host.preference() + ")";
            if (policy.isEmpty()) {
                items.add(CheckItem.warn(CheckSection.MX, subject, "not compared with the policy: no valid policy"));
            } else if (patterns.isEmpty()) {
                items.add(CheckItem.ok(CheckSection.MX, subject, "policy mode none: no mx patterns apply"));
            } else {
                Optional<MxPattern> match = patterns.stream().filter(p -> p.matches(host.name())).findFirst();
                items.add(match.map(p -> CheckItem.ok(CheckSection.MX, subject, "matched by policy mx " + p))
                        .orElseGet(() -> CheckItem.fail(CheckSection.MX, subject, "not covered by any policy mx pattern "
                                + patterns + ": senders refuse this MX under enforce (RFC 8461 §4.1)")));
            }
        }
        for (MxPattern pattern : patterns) {
            if (hosts.stream().noneMatch(h -> pattern.matches(h.name()))) {
                items.add(CheckItem.warn(CheckSection.MX, "mx: " + pattern, "policy pattern matches no MX record of " + domain));
            }
        }
        items.addAll(smtpItems(hosts));
    }

    private List<CheckItem> smtpItems(List<MxHost> hosts) {
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "mtasts-check-smtp");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<List<CheckItem>>> perHost = new ArrayList<>();
            for (MxHost host : hosts) {
                perHost.add(mx.lookupAddresses(host.name()).thenCompose(addresses -> probeAll(host.name(), addresses, executor)));
            }
            List<CheckItem> items = new ArrayList<>();
            perHost.forEach(f -> items.addAll(f.join()));
            return items;
        } finally {
            // a probe past its budget may still be blocked in a read; its socket timeout ends it
            executor.shutdownNow();
        }
    }

    private CompletableFuture<List<CheckItem>> probeAll(String host, DnsAnswer<InetAddress> addresses, ExecutorService executor) {
        if (!(addresses instanceof DnsAnswer.Found<InetAddress> found)) {
            String reason = addresses instanceof DnsAnswer.NoRecord<InetAddress> none ? none.reason()
                    : ((DnsAnswer.Failure<InetAddress>) addresses).detail();
            return CompletableFuture.completedFuture(List.of(CheckItem.fail(CheckSection.SMTP, host, "no address: " + reason)));
        }
        List<CompletableFuture<List<CheckItem>>> probes = new ArrayList<>();
        for (InetAddress address : found.values()) {
            probes.add(CompletableFuture.supplyAsync(() -> smtp.probe(host, address), executor)
                    .completeOnTimeout(List.of(CheckItem.fail(CheckSection.SMTP, smtp.subject(host, address),
                            "no result within " + probeBudget)), probeBudget.toMillis(), TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<CheckItem> items = new ArrayList<>();
            probes.forEach(p -> items.addAll(p.join()));
            return items;
        });
    }

    private static CheckItem tlsrptItem(String domain, TxtLookupResult result) {
        String name = "_smtp._tls." + domain;
        if (result instanceof TxtLookupResult.Records records) {
            try {
                TlsRptRecord record = TlsRptRecord.select(records.texts());
                return CheckItem.ok(CheckSection.TLSRPT_TXT, name,
                        "valid, rua " + record.rua().stream().map(ReportUri::uri).toList());
            } catch (TlsRptRecordException e) {
                // TXT records without a TLSRPT one are as good as none; a broken one is the owner's mistake
                return e.kind() == TlsRptRecordException.Kind.NO_RECORD
                        ? CheckItem.warn(CheckSection.TLSRPT_TXT, name, "no TLSRPT record (" + e.getMessage()
                                + "): you will get no reports of senders' TLS failures (RFC 8460)")
                        : CheckItem.fail(CheckSection.TLSRPT_TXT, name, e.getMessage());
            }
        }
        if (result instanceof TxtLookupResult.NoRecord none) {
            return CheckItem.warn(CheckSection.TLSRPT_TXT, name, "no TLSRPT record (" + none.reason()
                    + "): you will get no reports of senders' TLS failures (RFC 8460)");
        }
        return CheckItem.fail(CheckSection.TLSRPT_TXT, name, "lookup failed: " + ((TxtLookupResult.Failure) result).detail());
    }
}
