package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant FIRST = Instant.parse("2026-11-29T01:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(6, Duration.ofDays(2), Duration.ofMinutes(15), Duration.ofHours(2));

    @Test
    void delayDoublesFromTheFirstDelayUpToTheMaximum() {
        assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofMinutes(15));
        assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofMinutes(30));
        assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofMinutes(60));
        assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofHours(2));
        assertThat(policy.delayAfter(5)).isEqualTo(Duration.ofHours(2));
        assertThat(policy.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void nextAttemptCountsFromTheEndOfTheLastOne() {
        Instant lastEnded = FIRST.plusSeconds(40);
        assertThat(policy.nextAttempt(1, FIRST, lastEnded)).contains(lastEnded.plus(Duration.ofMinutes(15)));
        assertThat(policy.nextAttempt(3, FIRST, lastEnded)).contains(lastEnded.plus(Duration.ofHours(1)));
    }

    @Test
    void givesUpAfterTheLastAllowedAttempt() {
        assertThat(policy.nextAttempt(5, FIRST, FIRST.plusSeconds(3600))).isPresent();
        assertThat(policy.nextAttempt(6, FIRST, FIRST.plusSeconds(3600))).isEmpty();
        assertThat(new RetryPolicy(1, Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofMinutes(1))
                .nextAttempt(1, FIRST, FIRST)).isEmpty();
    }

    @Test
    void givesUpWhenTheNextAttemptWouldBeTooLate() {
        Instant nearTheEnd = FIRST.plus(Duration.ofDays(2)).minus(Duration.ofMinutes(10));
        assertThat(policy.nextAttempt(1, FIRST, nearTheEnd)).isEmpty();
        Instant justInTime = FIRST.plus(Duration.ofDays(2)).minus(Duration.ofMinutes(15));
        assertThat(policy.nextAttempt(1, FIRST, justInTime)).contains(FIRST.plus(Duration.ofDays(2)));
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofHours(1)))
                .hasMessageContaining("maxAttempts must be at least 1");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ofMinutes(1), Duration.ofHours(1)))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofDays(1), Duration.ofHours(2), Duration.ofHours(1)))
                .hasMessageContaining("firstDelay PT2H is longer than maxDelay PT1H");
        assertThatThrownBy(() -> policy.nextAttempt(0, FIRST, FIRST)).hasMessageContaining("attemptsMade");
    }
}
