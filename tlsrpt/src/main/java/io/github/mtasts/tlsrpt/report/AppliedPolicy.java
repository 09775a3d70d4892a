package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import java.util.List;
import java.util.Objects;

/**
 * The policy that applied to a set of sessions, as the report's {@code policy} object shows it (RFC 8460 §4.3).
 *
 * @param type         the policy type
 * @param policyString the policy as published, one string per line (empty when no policy text is known, e.g.
 *                     for {@code no-policy-found} or when the MTA-STS policy could not be fetched)
 * @param mxHosts      the policy's MX patterns (empty for {@code no-policy-found})
 */
public record AppliedPolicy(PolicyType type, List<String> policyString, List<String> mxHosts) {

    public AppliedPolicy {
        Objects.requireNonNull(type, "type");
        policyString = List.copyOf(policyString);
        mxHosts = List.copyOf(mxHosts);
        if (type == PolicyType.NO_POLICY_FOUND && (!policyString.isEmpty() || !mxHosts.isEmpty())) {
            throw new IllegalArgumentException("a no-policy-found policy has no policy-string or mx-host");
        }
        for (String line : policyString) {
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("policy-string line contains a line break: \"" + line + "\"");
            }
        }
        for (String mx : mxHosts) {
            if (mx.isBlank()) {
                throw new IllegalArgumentException("blank mx-host");
            }
        }
    }

    /** The policy of sessions to a domain that published neither DANE nor MTA-STS. */
    public static AppliedPolicy noPolicyFound() {
        return new AppliedPolicy(PolicyType.NO_POLICY_FOUND, List.of(), List.of());
    }

    /**
     * An MTA-STS policy the sender could not fetch or found invalid (the sts-* result types, RFC 8460 §4.3.2.2): its
     * text is unknown, so the entry has the type and policy domain only, as Microsoft's reports do.
     */
    public static AppliedPolicy stsUnavailable() {
        return sts(List.of(), List.of());
    }

    /**
     * A DANE policy Postfix reported through libtlsrpt: its TLSA records are not kept, so the entry has the type and
     * policy domain only (RFC 8460 §4.3 makes policy-string optional).
     */
    public static AppliedPolicy tlsaWithoutRecords() {
        return new AppliedPolicy(PolicyType.TLSA, List.of(), List.of());
    }

    /** The MTA-STS policy the resolver applied: its lines as published and its MX patterns. */
    public static AppliedPolicy of(StsPolicy policy) {
        return sts(policy.lines(), policy.mx().stream().map(MxPattern::pattern).toList());
    }

    /**
     * The DANE policy of one MX host: its TLSA records as the policy-string, the host as the mx-host (RFC 8460 §4.4
     * lets a report group sessions per MX host for tlsa, whose records are per host).
     */
    public static AppliedPolicy tlsa(TlsaPolicy policy) {
        return new AppliedPolicy(PolicyType.TLSA, policy.records(), List.of(policy.mxHost()));
    }

    /** An MTA-STS policy given by its lines and MX patterns. */
    public static AppliedPolicy sts(List<String> policyString, List<String> mxHosts) {
        return new AppliedPolicy(PolicyType.STS, policyString, mxHosts);
    }
}
