package io.github.mtasts.tlsrpt.aggregate;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * The counts of one (UTC day, policy domain, policy): what one {@code policies[]} entry of an RFC 8460 report
 * carries.
 */
public record DomainDay(LocalDate day, String policyDomain, PolicyGroup policy, long successes, long failures,
                        List<FailureCount> failureDetails) {
    public DomainDay {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(policy, "policy");
        failureDetails = List.copyOf(failureDetails);
        if (successes < 0 || failures < 0) {
            throw new IllegalArgumentException("negative session count for " + policyDomain + " on " + day);
        }
    }

    /** One failure-details entry and its number of sessions. */
    public record FailureCount(FailureKey detail, long sessions) {
        public FailureCount {
            Objects.requireNonNull(detail, "detail");
        }
    }
}
