package io.github.mtasts.tlsrpt.inbound;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code policies} entry of a received report (RFC 8460 §4.3): the policy the sender applied to our
 * domain, its session counts and failure details.
 *
 * @param policyType   {@code sts}, {@code tlsa} or {@code no-policy-found}, as sent
 * @param policyString the policy lines as the sender saw them, stray carriage returns removed
 * @param policyDomain the domain the policy is for; absent when the sender left it out
 * @param mxHosts      the {@code mx-host} list, if any
 */
public record InboundPolicy(String policyType, List<String> policyString, Optional<String> policyDomain,
                            List<String> mxHosts, long successfulSessions, long failedSessions,
                            List<InboundFailure> failures) {

    public InboundPolicy {
        InboundReport.requireText(policyType, "policyType");
        policyString = List.copyOf(policyString);
        Objects.requireNonNull(policyDomain, "policyDomain");
        mxHosts = List.copyOf(mxHosts);
        if (successfulSessions < 0 || failedSessions < 0) {
            throw new IllegalArgumentException("negative session count");
        }
        failures = List.copyOf(failures);
    }
}
