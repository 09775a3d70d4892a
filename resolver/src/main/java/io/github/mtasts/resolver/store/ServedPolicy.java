package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One policy the resolver applied to a policy domain, and the span of time it was in force. TLSRPT (RFC 8460 §4.3)
 * reports each session under the policy of that session's time, which is the served policy with the latest
 * {@code firstServed} not after the session.
 *
 * @param domain      policy domain
 * @param policyHash  {@link #hashOf(StsPolicy)} of the policy
 * @param policyText  the policy's lines joined with LF ({@link #textOf(StsPolicy)})
 * @param mode        the policy mode
 * @param firstServed first instant the policy was in force
 * @param lastServed  last instant the policy was known to be in force
 */
public record ServedPolicy(String domain, String policyHash, String policyText, PolicyMode mode,
                           Instant firstServed, Instant lastServed) {

    public ServedPolicy {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(policyHash, "policyHash");
        Objects.requireNonNull(policyText, "policyText");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(firstServed, "firstServed");
        Objects.requireNonNull(lastServed, "lastServed");
        if (lastServed.isBefore(firstServed)) {
            throw new IllegalArgumentException("served policy for " + domain + ": lastServed " + lastServed
                    + " is before firstServed " + firstServed);
        }
    }

    /** The policy as published, one line per line; lines never contain line breaks. */
    public static String textOf(StsPolicy policy) {
        return String.join("\n", policy.lines());
    }

    /** Lowercase hex SHA-256 of {@link #textOf(StsPolicy)}: identifies one published policy of a domain. */
    public static String hashOf(StsPolicy policy) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(textOf(policy).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform is required to implement SHA-256 (MessageDigest javadoc)
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** This record widened to also cover {@code from..until}. */
    ServedPolicy widenedTo(Instant from, Instant until) {
        Instant first = from.isBefore(firstServed) ? from : firstServed;
        Instant last = until.isAfter(lastServed) ? until : lastServed;
        return new ServedPolicy(domain, policyHash, policyText, mode, first, last);
    }
}
