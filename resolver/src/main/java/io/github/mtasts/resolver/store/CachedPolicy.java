package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.policy.StsPolicy;
import java.time.Instant;
import java.util.Objects;

/**
 * A policy held for one policy domain, with the times that decide whether it may still be applied.
 *
 * <p>{@code expiresAt} is the last instant the policy may be used: {@code max_age} counted from the last time the
 * policy was fetched <em>or confirmed</em> by a TXT record carrying the same id. RFC 8461 §3.2 counts max_age "from
 * the last policy fetch time"; a TXT id equal to ours is as good as a fetch because §3.1 requires the id to uniquely
 * identify one instance of the policy, so the policy we hold is the one we would download. §3.3 and §10.2 want
 * exactly this: a sender that keeps checking keeps its policy, while an attacker who only blocks or forges the
 * absence of records cannot extend it (a confirmation needs a TXT answer with the current id).
 *
 * @param domain        normalised policy domain
 * @param txtId         id of the {@code _mta-sts} TXT record the policy was fetched or confirmed under
 * @param policy        the policy
 * @param fetchedAt     when the policy body was last downloaded
 * @param expiresAt     when the policy stops being usable (RFC 8461 §5.1)
 * @param lastCheckedAt when discovery was last attempted for the domain, whatever its outcome; paces refreshes
 */
public record CachedPolicy(String domain, String txtId, StsPolicy policy, Instant fetchedAt, Instant expiresAt,
                           Instant lastCheckedAt) {

    public CachedPolicy {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(txtId, "txtId");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(lastCheckedAt, "lastCheckedAt");
        if (domain.isEmpty()) {
            throw new IllegalArgumentException("cached policy: empty domain");
        }
        if (expiresAt.isBefore(fetchedAt)) {
            throw new IllegalArgumentException("cached policy for " + domain + ": expiresAt " + expiresAt
                    + " is before fetchedAt " + fetchedAt);
        }
    }

    /** A policy just downloaded at {@code now}. */
    public static CachedPolicy fetched(String domain, String txtId, StsPolicy policy, Instant now) {
        return new CachedPolicy(domain, txtId, policy, now, now.plusSeconds(policy.maxAge()), now);
    }

    /** This policy after a TXT record with the same id was seen at {@code now}: max_age counts again from now. */
    public CachedPolicy confirmed(Instant now) {
        return new CachedPolicy(domain, txtId, policy, fetchedAt, now.plusSeconds(policy.maxAge()), now);
    }

    /** This policy after a discovery attempt at {@code now} that neither replaced nor confirmed it. */
    public CachedPolicy checked(Instant now) {
        return new CachedPolicy(domain, txtId, policy, fetchedAt, expiresAt, now);
    }

    /** Last fetch or confirmation: the instant max_age is counted from. */
    public Instant confirmedAt() {
        return expiresAt.minusSeconds(policy.maxAge());
    }

    /** RFC 8461 §5.1: a policy is applied only while its max_age has not passed. */
    public boolean usableAt(Instant instant) {
        return instant.isBefore(expiresAt);
    }
}
