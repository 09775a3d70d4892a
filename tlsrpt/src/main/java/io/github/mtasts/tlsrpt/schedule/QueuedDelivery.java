package io.github.mtasts.tlsrpt.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One (report, destination) row of the delivery queue.
 *
 * @param reportId       the report's {@code report-id}
 * @param day            the UTC day the report covers
 * @param policyDomain   the policy domain
 * @param destinationKey {@code Destination.key()}: {@code mailto:<address>} or the https URI
 * @param state          where the delivery stands
 * @param attempts       attempts started so far (a claimed attempt counts even if the process died during it)
 * @param nextAttempt    when the next attempt is due (for a claimed row: when its claim lapses)
 * @param firstAttempt   when the first attempt started; null before it
 * @param lastError      the last failure's detail; null when none
 * @param deliveredAt    when the destination accepted the report; null until then
 */
public record QueuedDelivery(String reportId, LocalDate day, String policyDomain, String destinationKey,
                             State state, int attempts, Instant nextAttempt, Instant firstAttempt, String lastError,
                             Instant deliveredAt) {

    public enum State { PENDING, DELIVERED, FAILED }

    public QueuedDelivery {
        Objects.requireNonNull(reportId, "reportId");
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(destinationKey, "destinationKey");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(nextAttempt, "nextAttempt");
    }
}
