package io.github.mtasts.tlsrpt.delivery;

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
 * @param sendingDetail  for a {@link State#SENDING} row: what an operator needs to find out whether the destination
 *                       has the report (the Message-ID and relay, or the URI); null otherwise
 */
public record QueuedDelivery(String reportId, LocalDate day, String policyDomain, String destinationKey,
                             State state, int attempts, Instant nextAttempt, Instant firstAttempt, String lastError,
                             Instant deliveredAt, String sendingDetail) {

    /**
     * Where a delivery stands. {@code SENDING}: an attempt passed its commit point (the destination may accept the
     * report from then on) and has not recorded its outcome yet; a live attempt always resolves it, so once its
     * claim has lapsed the attempt's process died and the row is {@link #uncertain uncertain}.
     */
    public enum State { PENDING, SENDING, DELIVERED, FAILED }

    public QueuedDelivery {
        Objects.requireNonNull(reportId, "reportId");
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(destinationKey, "destinationKey");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(nextAttempt, "nextAttempt");
    }

    /**
     * Whether the row is sending and its claim lapsed at {@code now}: the attempt's process died after the commit
     * point, so only the destination knows whether it has the report. Never retried by itself; an operator resends
     * it or marks it delivered ({@link DeliveryQueue#resolveUncertain}).
     */
    public boolean uncertain(Instant now) {
        return state == State.SENDING && !nextAttempt.isAfter(now);
    }
}
