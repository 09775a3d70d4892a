package io.github.mtasts.tlsrpt.datagrams;

import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One TLS handshake result as Postfix reported it through libtlsrpt, decoded by {@link DatagramDecoder}.
 *
 * @param tlsrptDomain the domain whose TLSRPT record Postfix found ({@code d}), lowercase
 * @param tlsrptRecord that record, verbatim ({@code pr})
 * @param policies     the policies the handshake was evaluated under (Postfix sends exactly one)
 */
public record TlsrptDatagram(String tlsrptDomain, String tlsrptRecord, List<ReportedPolicy> policies) {

    public TlsrptDatagram {
        Objects.requireNonNull(tlsrptDomain, "tlsrptDomain");
        Objects.requireNonNull(tlsrptRecord, "tlsrptRecord");
        policies = List.copyOf(policies);
    }

    /**
     * One policy and what the handshake did under it.
     *
     * @param type          {@code policy-type}
     * @param policyDomain  {@code policy-domain}, lowercase
     * @param policyStrings {@code policy-string}, empty when absent
     * @param mxHosts       {@code mx-host}, empty when absent
     * @param stsPolicy     the policy strings parsed as an MTA-STS policy, for an sts policy whose strings are one;
     *                      empty otherwise (then the session counts under an sts policy of unknown text)
     * @param failure       the failure, empty for a successful handshake
     */
    public record ReportedPolicy(PolicyType type, String policyDomain, List<String> policyStrings,
                                 List<String> mxHosts, Optional<StsPolicy> stsPolicy,
                                 Optional<ReportedFailure> failure) {
        public ReportedPolicy {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(policyDomain, "policyDomain");
            policyStrings = List.copyOf(policyStrings);
            mxHosts = List.copyOf(mxHosts);
            Objects.requireNonNull(stsPolicy, "stsPolicy");
            Objects.requireNonNull(failure, "failure");
            if (stsPolicy.isPresent() && type != PolicyType.STS) {
                throw new IllegalArgumentException("only an sts policy has an MTA-STS policy");
            }
        }

        /** The policy group the aggregate counts this policy's sessions under. */
        public PolicyGroup group() {
            return switch (type) {
                case NO_POLICY_FOUND -> PolicyGroup.NO_POLICY;
                case STS -> stsPolicy.map(p -> PolicyGroup.sts(ServedPolicy.hashOf(p))).orElse(PolicyGroup.STS_UNAVAILABLE);
                case TLSA -> PolicyGroup.tlsa(new TlsaPolicy(policyDomain, policyStrings));
            };
        }
    }

    /**
     * One {@code failure-details} entry; absent strings are empty.
     *
     * @param result            {@code c}, never success
     * @param sendingMtaIp      {@code s}
     * @param receivingMxName   {@code n}
     * @param receivingEhlo     {@code h}: the receiving MX's EHLO reply, its lines joined by CR LF
 * @param receivingMxHelo   the name in the reply's first line, RFC 8460's {@code receiving-mx-helo}; empty when none
     * @param receivingIp       {@code r}
     * @param additionalInfo    {@code a}
     * @param failureReasonCode {@code f}
     */
    public record ReportedFailure(ResultType result, String sendingMtaIp, String receivingMxName,
                                  String receivingEhlo, String receivingMxHelo, String receivingIp,
                                  String additionalInfo, String failureReasonCode) {
        public ReportedFailure {
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(sendingMtaIp, "sendingMtaIp");
            Objects.requireNonNull(receivingMxName, "receivingMxName");
            Objects.requireNonNull(receivingEhlo, "receivingEhlo");
            Objects.requireNonNull(receivingMxHelo, "receivingMxHelo");
            Objects.requireNonNull(receivingIp, "receivingIp");
            Objects.requireNonNull(additionalInfo, "additionalInfo");
            Objects.requireNonNull(failureReasonCode, "failureReasonCode");
            if (!result.isFailure()) {
                throw new IllegalArgumentException("a failure detail needs a failure result type");
            }
        }

        FailureKey key() {
            return new FailureKey(result, sendingMtaIp, receivingMxName, receivingMxHelo, receivingIp,
                    failureReasonCode);
        }
    }

    /** The sessions this datagram counts on the UTC {@code day} it arrived: one per policy. */
    public List<CountedSession> counted(LocalDate day) {
        List<CountedSession> sessions = new ArrayList<>(policies.size());
        for (ReportedPolicy policy : policies) {
            // a tlsa policy's domain is the MX host (Postfix's TLSA base domain); its sessions belong to the next hop
            String domain = policy.type() == PolicyType.TLSA ? tlsrptDomain : policy.policyDomain();
            sessions.add(new CountedSession(day, domain, policy.group(),
                    policy.failure().map(ReportedFailure::key).orElse(null)));
        }
        return sessions;
    }
}
