package io.github.mtasts.tlsrpt.aggregate;

import java.util.Objects;

/**
 * The policy a session is reported under (RFC 8460 §4.4 {@code policies[]}): an MTA-STS policy identified by the
 * hash of its text, or no policy at all.
 *
 * @param type       sts or no-policy-found
 * @param policyHash the {@code ServedPolicy} hash for sts; empty for no-policy-found
 */
public record PolicyGroup(PolicyType type, String policyHash) {
    public static final PolicyGroup NO_POLICY = new PolicyGroup(PolicyType.NO_POLICY_FOUND, "");

    public PolicyGroup {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(policyHash, "policyHash");
        if ((type == PolicyType.STS) == policyHash.isEmpty()) {
            throw new IllegalArgumentException("an sts policy group needs a policy hash, no-policy-found none: "
                    + type.rfcName() + " '" + policyHash + "'");
        }
    }

    public static PolicyGroup sts(String policyHash) {
        return new PolicyGroup(PolicyType.STS, policyHash);
    }
}
