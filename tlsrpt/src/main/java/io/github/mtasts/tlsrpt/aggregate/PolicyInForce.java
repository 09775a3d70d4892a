package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.cache.ServedPolicy;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
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
 *   <li>the policy in force is the served policy whose served span contains the session's time, the latest
 *       first served among several; else the latest one first served before the session and still within its
 *       {@code max_age} after it was last served (a sender may use a cached policy that long, RFC 8461 §5.1);
 *       else none. A policy in mode {@code none} is no policy (RFC 8461 §5);</li>
 *   <li>no policy: the session counts under {@code no-policy-found} with what TLS did;</li>
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
 * Served policies are read through {@code servedPolicies} (the policy store) and kept for {@code reloadAfter},
 * so a followed log sees policies the daemon records meanwhile. Not thread-safe.
 */
public final class PolicyInForce {
    private static final int MAX_DOMAINS = 10_000;

    private final Function<String, List<ServedPolicy>> servedPolicies;
    private final SendingMtaIps sendingMtaIps;
    private final Clock clock;
    private final Duration reloadAfter;
    private final Map<String, Loaded> domains = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
            return size() > MAX_DOMAINS;
        }
    };

    public PolicyInForce(Function<String, List<ServedPolicy>> servedPolicies, SendingMtaIps sendingMtaIps,
                         Clock clock, Duration reloadAfter) {
        this.servedPolicies = Objects.requireNonNull(servedPolicies, "servedPolicies");
        this.sendingMtaIps = Objects.requireNonNull(sendingMtaIps, "sendingMtaIps");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reloadAfter = Objects.requireNonNull(reloadAfter, "reloadAfter");
    }

    /** How RFC 8460 counts {@code session}; empty when it is not a TLS session with the policy domain. */
    public Optional<CountedSession> judge(TlsSession session) {
        LocalDate day = LocalDate.ofInstant(session.time(), ZoneOffset.UTC);
        Optional<Policy> policy = policyAt(session.policyDomain(), session.time());
        boolean ipRelay = session.mxHost().equals(session.mxIp());
        boolean mxListed = policy.isPresent() && !ipRelay && policy.get().lists(session.mxHost());
        if (session.evidence() == Evidence.PLAINTEXT_DELIVERY && !mxListed) {
            return Optional.empty();
        }
        PolicyGroup group = policy.map(p -> PolicyGroup.sts(p.served.policyHash())).orElse(PolicyGroup.NO_POLICY);
        ResultType result = session.result();
        String reason = session.failureReasonCode();
        if (policy.isPresent() && !ipRelay && !mxListed && !result.isFailure()) {
            result = ResultType.CERTIFICATE_HOST_MISMATCH;
            reason = "mx host not matched by the policy's mx patterns";
        }
        FailureDetail failure = result.isFailure()
                ? new FailureDetail(result, sendingMtaIps.forReceivingIp(session.mxIp()), session.mxHost(),
                        session.mxIp() == null ? "" : session.mxIp(), reason == null ? "" : reason)
                : null;
        return Optional.of(new CountedSession(day, session.policyDomain(), group, failure));
    }

    private Optional<Policy> policyAt(String domain, Instant time) {
        Instant now = clock.instant();
        Loaded loaded = domains.get(domain);
        if (loaded == null || now.isAfter(loaded.at.plus(reloadAfter))) {
            loaded = new Loaded(now, parse(servedPolicies.apply(domain)));
            domains.put(domain, loaded);
        }
        // stored times are whole seconds; a session logged within the second its policy was first served is under it
        long second = time.getEpochSecond();
        Policy inSpan = null;
        Policy cached = null;
        for (Policy policy : loaded.policies) {
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
        Policy chosen = inSpan != null ? inSpan : cached;
        return chosen == null || chosen.served.mode() == PolicyMode.NONE ? Optional.empty() : Optional.of(chosen);
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

    private record Loaded(Instant at, List<Policy> policies) {
    }
}
