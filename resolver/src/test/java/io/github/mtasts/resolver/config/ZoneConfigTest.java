package io.github.mtasts.resolver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ZoneConfigTest {

    @Test
    void defaultsAreThoseOfThePythonDaemon() {
        assertThat(ZoneConfig.DEFAULT).isEqualTo(new ZoneConfig(false, Duration.ofSeconds(4), true, false, DaneMode.AUTO));
    }

    @Test
    void timeoutJustBelowPostfixsSocketmapTimeoutIsAccepted() {
        assertThat(new ZoneConfig(false, Duration.ofMillis(99_999), true, false, DaneMode.AUTO).timeout())
                .isLessThan(ZoneConfig.POSTFIX_SOCKETMAP_TIMEOUT);
    }

    @Test
    void timeoutThatPostfixWouldNotWaitForIsRejected() {
        assertThatThrownBy(() -> new ZoneConfig(false, ZoneConfig.POSTFIX_SOCKETMAP_TIMEOUT, true, false, DaneMode.AUTO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below 100 s");
        assertThatThrownBy(() -> new ZoneConfig(false, Duration.ZERO, true, false, DaneMode.AUTO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }
}
