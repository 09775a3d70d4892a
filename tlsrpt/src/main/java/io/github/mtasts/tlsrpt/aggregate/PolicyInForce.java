package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.tlsrpt.sessions.Evidence;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.github.mtasts.tlsrpt.sessions.TlsSession;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Joins a classified {@link TlsSession} with the MTA-STS policy our resolver served for its domain at its time
 * and decides how RFC 8460 counts it.
 *
 * <p>Rules:
 * <ul>
 *   <li>DANE first (RFC 8461 §2): a session whose MX host had usable, validated TLSA records on its day
 *       ({@link DaneDestinations}), or whose result type only DANE produces, counts under the host's {@code tlsa}
 *       policy with what TLS did, whatever MTA-STS policy was served;</li>
 *   <li>the policy in force is the served policy whose served span contains the session's time, the latest
 *       first served among several; else the latest one first served before the session and still within its
 *       {@code max_age} after it was last served (a sender may use a cached policy that long, RFC 8461 §5.1);
 *       else none. A policy in mode {@code none} is no policy (RFC 8461 §5);</li>
 *   <li>a domain the resolver's {@code overrides:} answer for has no MTA-STS policy in force and no discovery
 *       failure, whatever the store recorded before the override was configured: Postfix was given the override,
 *       a local policy RFC 8460 has no type for, so its sessions count under {@code no-policy-found} (or under
 *       DANE by the first rule, as for a {@code dane} or {@code dane-only} override);</li>
 *   <li>no policy in force, but the resolver recorded an {@code sts-*} discovery failure for the domain (a policy
 *       fetch error, an invalid policy, an invalid certificate of the policy host: RFC 8460 §4.3.2.2) at or before
 *       the session and at most {@link #FAILURE_HOLD} before it, with no policy served between that failure and the
 *       session: the session is a failure of that type under an {@code sts} policy with no policy text
 *       ({@link PolicyGroup#STS_UNAVAILABLE}), whatever TLS did. A failure's first and last time of its day bound
 *       it; between them it is taken to have lasted. Failures RFC 8460 has no type for (DNS, an invalid TXT record)
 *       leave the session under no-policy-found. With a cached policy in force, a failure changes nothing: the
 *       sender applied the cached policy (RFC 8461 §5.1);</li>
 *   <li>no policy: the session counts under {@code no-policy-found} with what TLS did. A server that was not
 *       authenticated under opportunistic TLS ({@link Evidence#UNAUTHENTICATED_TLS}) is then a success: nothing
 *       asked for authentication, and Postfix's own TLSRPT reports such a handshake as a success too (smtp_proto.c
 *       reports a certificate failure only at levels that must match);</li>
 *   <li>an sts policy: the session counts under that policy; when Postfix connected to an MX host name no
 *       {@code mx} pattern matches, the MX was not a valid candidate (RFC 8461 §4.1), so an otherwise successful
 *       session is a {@code certificate-host-mismatch} failure (RFC 8460 §4.3.1: the host did not adhere to the
 *       policy's constraints). A relay logged as a bare IP (a transport to {@code [address]}) had no MX name to
 *       judge, so the check is skipped;</li>
 *   <li>{@code testing} and {@code enforce} count alike: a session that failed TLS is a failure even when, under
 *       {@code testing}, the mail went out anyway: that is what testing mode reports (RFC 8461 §5);</li>
 *   <li>a delivery with no TLS line at all ({@link Evidence#PLAINTEXT_DELIVERY}) is counted only when an sts
 *       policy is in force and its mx patterns name the relay: elsewhere it may be a content filter or a local
 *       relay, not a TLS session with the policy domain.</li>
 * </ul>
 * Served policies and discovery failures are read through {@code servedPolicies} and {@code discoveryFailures} (the
 * policy store) and kept for {@code reloadAfter}, so a followed log sees what the daemon records meanwhile.
 * Not thread-safe.
 */
public final class PolicyInForce {
    /**
     * How long after its last recorded failure a discovery failure can still be the one a session met. The resolver
     * remembers a failure for {@link CacheSettings#DEFAULT_FAILURE_TTL} and then discovers again at the next lookup,
     * recording the next failure if it fails again; Postfix looks the policy up before it connects, and the
     * session's log lines may trail that lookup by its connect and greeting timeouts ({@code smtp_connect_timeout}
     * per address, {@code smtp_helo_timeout} of 300 s). An older failure was followed by a discovery that did not
     * fail: the domain then had no policy, not a broken one (finding none is recorded nowhere).
     */
    static final Duration FAILURE_HOLD = CacheSettings.DEFAULT_FAILURE_TTL.plus(Duration.ofMinutes(9));
    private static final int MAX_DOMAINS = 10_000;

    private final Function<String, List<ServedPolicy>> servedPolicies;
    private final Function<String, List<DiscoveryFailureCount>> discoveryFailures;
    private final PolicyOverrides overrides;
    private final DaneDestinations dane;
    private final SendingMtaIps sendingMtaIps;
    private final Clock clock;
    private final Duration reloadAfter;
    private final Map<String, Loaded> domains = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
            return size() > MAX_DOMAINS;
        }
    };

    public PolicyInForce(Function<String, List<ServedPolicy>> servedPolicies,
                         Function<String, List<DiscoveryFailureCount>> discoveryFailures, PolicyOverrides overrides,
                         DaneDestinations dane, SendingMtaIps sendingMtaIps, Clock clock, Duration reloadAfter) {
        this.servedPolicies = Objects.requireNonNull(servedPolicies, "servedPolicies");
        this.discoveryFailures = Objects.requireNonNull(discoveryFailures, "discoveryFailures");
        this.overrides = Objects.requireNonNull(overrides, "overrides");
        this.dane = Objects.requireNonNull(dane, "dane");
        this.sendingMtaIps = Objects.requireNonNull(sendingMtaIps, "sendingMtaIps");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reloadAfter = Objects.requireNonNull(reloadAfter, "reloadAfter");
    }

    /** How RFC 8460 counts {@code session}; empty when it is not a TLS session with the policy domain. */
    public Optional<CountedSession> judge(TlsSession session) {
        LocalDate day = LocalDate.ofInstant(session.time(), ZoneOffset.UTC);
        boolean ipRelay = session.mxHost().equals(session.mxIp());
        Optional<TlsaPolicy> tlsa = ipRelay ? Optional.empty()
                : dane.policy(session.policyDomain(), session.mxHost().toLowerCase(Locale.ROOT), day);
        if (tlsa.isPresent() || isDaneFailure(session.result())) {
            return Optional.of(underDane(session, day, tlsa.orElseGet(
                    () -> new TlsaPolicy(session.mxHost().toLowerCase(Locale.ROOT), List.of()))));
        }
        Loaded loaded = load(session.policyDomain());
        // stored times are whole seconds; a session logged within the second its policy was first served is under it
        long second = session.time().getEpochSecond();
        Policy covering = loaded.covering(second);
        Optional<Policy> policy = covering == null || covering.served.mode() == PolicyMode.NONE
                ? Optional.empty() : Optional.of(covering);
        boolean mxListed = policy.isPresent() && !ipRelay && policy.get().lists(session.mxHost());
        if (session.evidence() == Evidence.PLAINTEXT_DELIVERY && !mxListed) {
            return Optional.empty();
        }
        String mxIp = session.mxIp() == null ? "" : session.mxIp();
        ResultType stsFailure = covering == null ? loaded.stsFailureAt(second) : null;
        if (stsFailure != null) {
            // The failure text stays out of failure-reason-code: the store keeps the day's last text only, not the
            // one this session met, and it is our resolver's wording (URLs, Java exceptions), not a TLS error code.
            return Optional.of(new CountedSession(day, session.policyDomain(), PolicyGroup.STS_UNAVAILABLE,
                    new FailureKey(stsFailure, sendingMtaIps.forReceivingIp(session.mxIp()), session.mxHost(),
                            mxIp, "")));
        }
        PolicyGroup group = policy.map(p -> PolicyGroup.sts(p.served.policyHash())).orElse(PolicyGroup.NO_POLICY);
        ResultType result = session.result();
        String reason = session.failureReasonCode();
        if (policy.isEmpty() && session.evidence() == Evidence.UNAUTHENTICATED_TLS) {
            result = ResultType.SUCCESS;
            reason = null;
        }
        if (policy.isPresent() && !ipRelay && !mxListed && !result.isFailure()) {
            result = ResultType.CERTIFICATE_HOST_MISMATCH;
            reason = "mx host not matched by the policy's mx patterns";
        }
        FailureKey failure = result.isFailure()
                ? new FailureKey(result, sendingMtaIps.forReceivingIp(session.mxIp()), session.mxHost(), mxIp,
                        reason == null ? "" : reason)
                : null;
        return Optional.of(new CountedSession(day, session.policyDomain(), group, failure));
    }

    /** The result types only a DANE policy produces (RFC 8460 §4.3.2.1). */
    private static boolean isDaneFailure(ResultType result) {
        return result == ResultType.TLSA_INVALID || result == ResultType.DNSSEC_INVALID
                || result == ResultType.DANE_REQUIRED;
    }

    /**
     * A session under the DANE policy of its MX host: DANE takes precedence over MTA-STS where it applies (RFC 8461
     * §2). What TLS did stands; a plaintext delivery is a failure, as DANE requires TLS (RFC 7672 §2.2).
     */
    private CountedSession underDane(TlsSession session, LocalDate day, TlsaPolicy policy) {
        ResultType result = session.evidence() == Evidence.PLAINTEXT_DELIVERY ? ResultType.STARTTLS_NOT_SUPPORTED
                : session.result();
        String mxIp = session.mxIp() == null ? "" : session.mxIp();
        String reason = session.failureReasonCode() == null ? "" : session.failureReasonCode();
        FailureKey failure = result.isFailure()
                ? new FailureKey(result, sendingMtaIps.forReceivingIp(session.mxIp()), session.mxHost(), mxIp, reason)
                : null;
        return new CountedSession(day, session.policyDomain(), PolicyGroup.tlsa(policy), failure);
    }

    private Loaded load(String domain) {
        Instant now = clock.instant();
        Loaded loaded = domains.get(domain);
        if (loaded == null || now.isAfter(loaded.at.plus(reloadAfter))) {
            loaded = overrides.find(domain).isPresent() ? new Loaded(now, List.of(), List.of())
                    : new Loaded(now, parse(servedPolicies.apply(domain)), stsFailures(discoveryFailures.apply(domain)));
            domains.put(domain, loaded);
        }
        return loaded;
    }

    private static List<StsFailure> stsFailures(List<DiscoveryFailureCount> failures) {
        List<StsFailure> result = new ArrayList<>(failures.size());
        for (DiscoveryFailureCount failure : failures) {
            ResultType type = ResultType.ofDiscoveryFailure(failure.type());
            if (type != null) {
                result.add(new StsFailure(type, failure.firstFailed().getEpochSecond(),
                        failure.lastFailed().getEpochSecond()));
            }
        }
        return result;
    }

    private static List<Policy> parse(List<ServedPolicy> served) {
        List<Policy> policies = new ArrayList<>(served.size());
        for (ServedPolicy policy : served) {
            try {
                StsPolicy parsed = StsPolicy.parse(policy.policyText());
                policies.add(new Policy(policy, parsed.mx(), parsed.maxAge()));
            } catch (PolicySyntaxException e) {
                // The resolver only serves policies that parsed; a row that no longer does cannot be applied.
                continue;
            }
        }
        return policies;
    }

    private record Policy(ServedPolicy served, List<MxPattern> mx, long maxAge) {
        boolean lists(String mxHost) {
            for (MxPattern pattern : mx) {
                if (pattern.matches(mxHost)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The sts failures of one day and type, in epoch seconds. */
    private record StsFailure(ResultType type, long first, long last) {
    }

    private record Loaded(Instant at, List<Policy> policies, List<StsFailure> failures) {

        /**
         * The served policy whose span contains {@code second}, the latest first served among several; else the
         * latest one first served before it and still within its max_age after it was last served; else null.
         */
        Policy covering(long second) {
            Policy inSpan = null;
            Policy cached = null;
            for (Policy policy : policies) {
                long first = policy.served.firstServed().getEpochSecond();
                long last = policy.served.lastServed().getEpochSecond();
                if (first > second) {
                    continue;
                }
                if (second <= last && (inSpan == null || first >= inSpan.served.firstServed().getEpochSecond())) {
                    inSpan = policy;
                }
                if (second <= last + policy.maxAge
                        && (cached == null || first >= cached.served.firstServed().getEpochSecond())) {
                    cached = policy;
                }
            }
            return inSpan != null ? inSpan : cached;
        }

        /** The type of the latest sts failure a session at {@code second} met, or null. */
        ResultType stsFailureAt(long second) {
            StsFailure met = null;
            long metAt = Long.MIN_VALUE;
            for (StsFailure failure : failures) {
                if (failure.first > second || second > failure.last + FAILURE_HOLD.toSeconds()) {
                    continue;
                }
                // the latest failure not after the session: the day's last, or the session's own second when the
                // day's failures went on past it
                long latest = Math.min(failure.last, second);
                if (!servedBetween(latest, second) && latest > metAt) {
                    met = failure;
                    metAt = latest;
                }
            }
            return met == null ? null : met.type;
        }

        /** Whether a policy was served after {@code after} and not after {@code until}: a discovery succeeded. */
        private boolean servedBetween(long after, long until) {
            for (Policy policy : policies) {
                if (policy.served.lastServed().getEpochSecond() > after
                        && policy.served.firstServed().getEpochSecond() <= until) {
                    return true;
                }
            }
            return false;
        }
    }
}
