package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.sessions.PolicyType;
import java.util.Objects;

/**
 * The policy a session is reported under (RFC 8460 §4.4 {@code policies[]}): an MTA-STS policy identified by the
 * hash of its text, an MTA-STS policy the sender could not get (fetch error, invalid policy, invalid certificate of
 * the policy host: RFC 8460 §4.3.2.2), which has no text and so no hash, the DANE policy of one MX host, or no
 * policy at all.
 *
 * @param type       sts, tlsa or no-policy-found
 * @param policyHash the {@code ServedPolicy} hash of an sts policy in force; empty for an unavailable sts policy and
 *                   for no-policy-found; for tlsa, the {@link TlsaPolicy#key()}
 */
public record PolicyGroup(PolicyType type, String policyHash) {
    public static final PolicyGroup NO_POLICY = new PolicyGroup(PolicyType.NO_POLICY_FOUND, "");
    /**
     * Sessions to a domain whose MTA-STS policy discovery failed with no cached policy to fall back on: reported as
     * {@code sts} with the policy domain only, as senders such as Microsoft do.
     */
    public static final PolicyGroup STS_UNAVAILABLE = new PolicyGroup(PolicyType.STS, "");

    public PolicyGroup {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(policyHash, "policyHash");
        if (type == PolicyType.TLSA) {
            TlsaPolicy.ofKey(policyHash);
        }
        if (type == PolicyType.NO_POLICY_FOUND && !policyHash.isEmpty()) {
            throw new IllegalArgumentException("a no-policy-found policy group has no policy hash: '" + policyHash
                    + "'");
        }
    }

    public static PolicyGroup sts(String policyHash) {
        if (policyHash.isEmpty()) {
            throw new IllegalArgumentException("an sts policy in force needs its policy hash");
        }
        return new PolicyGroup(PolicyType.STS, policyHash);
    }

    /** The DANE policy of one MX host; its key stands in for the hash (see {@link TlsaPolicy#key()}). */
    public static PolicyGroup tlsa(TlsaPolicy policy) {
        return new PolicyGroup(PolicyType.TLSA, policy.key());
    }

    /** The DANE policy of a {@link PolicyType#TLSA} group. */
    public TlsaPolicy tlsaPolicy() {
        if (type != PolicyType.TLSA) {
            throw new IllegalStateException("not a tlsa policy group: " + type);
        }
        return TlsaPolicy.ofKey(policyHash);
    }

    /** True for {@link #STS_UNAVAILABLE}: an sts policy whose text the sender never had. */
    public boolean stsUnavailable() {
        return type == PolicyType.STS && policyHash.isEmpty();
    }
}
