package io.github.mtasts.tlsrpt.aggregate;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A session as RFC 8460 counts it: its UTC day, policy domain and policy, and its failure (null on success).
 */
public record CountedSession(LocalDate day, String policyDomain, PolicyGroup policy, FailureKey failure) {
    public CountedSession {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(policy, "policy");
    }

    public boolean success() {
        return failure == null;
    }
}
