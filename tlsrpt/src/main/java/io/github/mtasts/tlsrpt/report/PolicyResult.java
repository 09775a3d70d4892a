package io.github.mtasts.tlsrpt.report;

import java.util.List;
import java.util.Objects;

/**
 * One entry of a report's {@code policies} array: a policy and what happened to the sessions it governed
 * during the day (RFC 8460 §4.3 {@code summary} and {@code failure-details}).
 *
 * @param policy             the policy in force
 * @param successfulSessions {@code total-successful-session-count}
 * @param failedSessions     {@code total-failure-session-count}
 * @param failureDetails     the failures broken down; their counts add up to at most {@code failedSessions}
 */
public record PolicyResult(AppliedPolicy policy, long successfulSessions, long failedSessions,
                           List<FailureDetail> failureDetails) {

    public PolicyResult {
        Objects.requireNonNull(policy, "policy");
        failureDetails = List.copyOf(failureDetails);
        if (successfulSessions < 0 || failedSessions < 0) {
            throw new IllegalArgumentException("session counts must not be negative: " + successfulSessions
                    + " successful, " + failedSessions + " failed");
        }
        if (successfulSessions == 0 && failedSessions == 0) {
            throw new IllegalArgumentException("a policy without sessions has nothing to report");
        }
        long detailed = 0;
        for (FailureDetail detail : failureDetails) {
            detailed = Math.addExact(detailed, detail.failedSessionCount());
        }
        if (detailed > failedSessions) {
            throw new IllegalArgumentException("failure-details count " + detailed
                    + " failed sessions but total-failure-session-count is " + failedSessions);
        }
    }
}
