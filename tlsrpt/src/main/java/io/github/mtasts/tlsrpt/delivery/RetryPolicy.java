package io.github.mtasts.tlsrpt.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When a retryable delivery failure is tried again: exponential backoff from {@code firstDelay}, doubling up to
 * {@code maxDelay}, until {@code maxAttempts} attempts were made or the next one would come later than
 * {@code maxAge} after the first.
 *
 * @param maxAttempts attempts in all, at least 1
 * @param maxAge      how long after the first attempt a report is still worth delivering
 * @param firstDelay  wait after the first failure
 * @param maxDelay    longest wait between attempts
 */
public record RetryPolicy(int maxAttempts, Duration maxAge, Duration firstDelay, Duration maxDelay) {

    public RetryPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(firstDelay, "firstDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (!isPositive(maxAge) || !isPositive(firstDelay) || !isPositive(maxDelay)) {
            throw new IllegalArgumentException("retry durations must be positive: maxAge " + maxAge + ", firstDelay "
                    + firstDelay + ", maxDelay " + maxDelay);
        }
        if (firstDelay.compareTo(maxDelay) > 0) {
            throw new IllegalArgumentException("firstDelay " + firstDelay + " is longer than maxDelay " + maxDelay);
        }
    }

    /**
     * The time of the next attempt after {@code attemptsMade} failed attempts, the first at {@code firstAttempt}
     * and the last ending at {@code now}; empty when the destination is given up.
     */
    public Optional<Instant> nextAttempt(int attemptsMade, Instant firstAttempt, Instant now) {
        if (attemptsMade < 1) {
            throw new IllegalArgumentException("attemptsMade must be at least 1, got " + attemptsMade);
        }
        if (attemptsMade >= maxAttempts) {
            return Optional.empty();
        }
        Instant next = now.plus(delayAfter(attemptsMade));
        return next.isAfter(firstAttempt.plus(maxAge)) ? Optional.empty() : Optional.of(next);
    }

    /** firstDelay × 2^(failures − 1), capped at maxDelay without overflowing. */
    Duration delayAfter(int failures) {
        Duration delay = firstDelay;
        for (int i = 1; i < failures && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    private static boolean isPositive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }
}
