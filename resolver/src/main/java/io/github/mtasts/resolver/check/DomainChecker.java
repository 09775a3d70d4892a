package io.github.mtasts.resolver.check;

import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.dns.DnsAnswer;
import io.github.mtasts.resolver.dns.DnsMxLookup;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.discovery.FetchResult;
import io.github.mtasts.resolver.dns.MxHost;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.TxtLookupResult;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.policy.DaneVerdict;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.ReportUri;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.StsTxtRecord;
import io.github.mtasts.resolver.policy.TlsRptRecord;
import io.github.mtasts.resolver.policy.TlsaStatus;
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
    private final Optional<DaneDiscovery> dane;

    /**
     * @param probeBudget bound on one MX address's whole SMTP conversation; past it the address is a FAIL
     */
    public DomainChecker(DnsTxtLookup txt, DnsMxLookup mx, PolicyFetcher fetcher, SmtpTlsProbe smtp, Duration probeBudget) {
        this(txt, mx, fetcher, smtp, probeBudget, Optional.empty());
    }

    /**
     * As the other constructor, with the DANE items when {@code dane} is present: DNSSEC status of the MX records,
     * each host's TLSA records, whether the served certificate matches them, and where MTA-STS and DANE disagree.
     */
    public DomainChecker(DnsTxtLookup txt, DnsMxLookup mx, PolicyFetcher fetcher, SmtpTlsProbe smtp, Duration probeBudget,
                         Optional<DaneDiscovery> dane) {
        this.txt = txt;
        this.mx = mx;
        this.fetcher = fetcher;
        this.smtp = smtp;
        this.probeBudget = probeBudget;
        this.dane = dane;
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
        Optional<CompletableFuture<DaneDiscovery.Discovered>> daneState =
                dane.map(d -> d.discover(DaneTarget.mx(domain)));

        List<CheckItem> items = new ArrayList<>();
        overrides.find(domain).ifPresent(override -> items.add(overrideItem(domain, override)));
        items.add(stsTxtItem(domain, stsTxt.join()));
        Optional<StsPolicy> policy = policyItems(domain, policyBody.join(), items);
        Optional<DaneState> state = daneState.map(d -> d.join().state());
        mxItems(domain, mxHosts.join(), policy, state, items);
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

    private void mxItems(String domain, DnsAnswer<MxHost> answer, Optional<StsPolicy> policy, Optional<DaneState> state,
                         List<CheckItem> items) {
        state.ifPresent(s -> daneItems(s, policy, items));
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
        items.addAll(smtpItems(hosts, state));
    }

    /**
     * The DANE state (RFC 7672 §2.2) as items. Failed or bogus lookups FAIL: DANE senders defer the mail. With an
     * enforce policy and DANE applying, a host without usable TLSA records is a WARN: a sender that puts DANE first
     * (RFC 8461 §2, mtasts with {@code dane: on}) answers {@code dane-only} and will not use that host.
     */
    private static void daneItems(DaneState state, Optional<StsPolicy> policy, List<CheckItem> items) {
        String domain = state.domain();
        items.add(switch (state.mx()) {
            case SECURE -> CheckItem.ok(CheckSection.DANE, domain, "MX records DNSSEC-secure (" + state.detail() + ")");
            case INSECURE -> CheckItem.ok(CheckSection.DANE, domain, "MX records not DNSSEC-signed: DANE does not"
                    + " apply, MTA-STS alone protects the domain");
            case INDETERMINATE -> CheckItem.fail(CheckSection.DANE, domain, "DNSSEC status of the MX records cannot"
                    + " be determined (" + state.detail() + "): DANE senders defer mail");
        });
        boolean enforce = policy.filter(p -> p.mode() == PolicyMode.ENFORCE).isPresent();
        boolean applies = state.verdict() == DaneVerdict.APPLIES;
        for (DaneHost host : state.hosts()) {
            String subject = "_25._tcp." + host.host();
            items.add(switch (host.status()) {
                case SECURE_USABLE -> CheckItem.ok(CheckSection.DANE, subject, "TLSA " + host.records());
                case SECURE_UNUSABLE -> CheckItem.warn(CheckSection.DANE, subject, "TLSA " + host.records()
                        + ", none usable for SMTP (RFC 7672 §3.1.3): DANE senders require TLS without authentication");
                case SECURE_DENIED -> CheckItem.ok(CheckSection.DANE, subject, "no TLSA records (proven by"
                        + " DNSSEC): DANE does not protect this host");
                case INSECURE -> CheckItem.ok(CheckSection.DANE, subject, "address or TLSA records not"
                        + " DNSSEC-signed: DANE does not apply to this host (" + host.detail() + ")");
                case INDETERMINATE -> CheckItem.fail(CheckSection.DANE, subject, "lookup failed or bogus ("
                        + host.detail() + "): DANE senders defer mail to this host");
            });
            if (enforce && applies && host.status() != TlsaStatus.SECURE_USABLE) {
                items.add(CheckItem.warn(CheckSection.DANE, host.host(), "MTA-STS and DANE disagree: the policy"
                        + " enforces TLS to this host but it has no usable TLSA records while other MX hosts do;"
                        + " senders putting DANE first answer dane-only and will not use it"));
            }
        }
    }

    private List<CheckItem> smtpItems(List<MxHost> hosts, Optional<DaneState> state) {
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "mtasts-check-smtp");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<List<CheckItem>>> perHost = new ArrayList<>();
            for (MxHost host : hosts) {
                List<DaneTlsa> tlsa = state.flatMap(s -> s.hosts().stream()
                        .filter(h -> h.host().equals(host.name()) && h.status() == TlsaStatus.SECURE_USABLE)
                        .findFirst())
                        .map(h -> h.records().stream().filter(DaneTlsa::usable).toList()).orElse(List.of());
                perHost.add(mx.lookupAddresses(host.name())
                        .thenCompose(addresses -> probeAll(host.name(), addresses, tlsa, executor)));
            }
            List<CheckItem> items = new ArrayList<>();
            perHost.forEach(f -> items.addAll(f.join()));
            return items;
        } finally {
            // a probe past its budget may still be blocked in a read; its socket timeout ends it
            executor.shutdownNow();
        }
    }

    private CompletableFuture<List<CheckItem>> probeAll(String host, DnsAnswer<InetAddress> addresses,
                                                        List<DaneTlsa> tlsa, ExecutorService executor) {
        if (!(addresses instanceof DnsAnswer.Found<InetAddress> found)) {
            String reason = addresses instanceof DnsAnswer.NoRecord<InetAddress> none ? none.reason()
                    : ((DnsAnswer.Failure<InetAddress>) addresses).detail();
            return CompletableFuture.completedFuture(List.of(CheckItem.fail(CheckSection.SMTP, host, "no address: " + reason)));
        }
        List<CompletableFuture<List<CheckItem>>> probes = new ArrayList<>();
        for (InetAddress address : found.values()) {
            probes.add(CompletableFuture.supplyAsync(() -> smtp.probe(host, address, tlsa), executor)
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
