package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class PolicyModeTest {
    @Test
    void wireNamesAreLowercase() {
        assertThat(PolicyMode.ENFORCE.wireName()).isEqualTo("enforce");
    }

    @Property(tries = 10)
    void jqwikRuns(@ForAll PolicyMode mode) {
        assertThat(mode.wireName()).isLowerCase();
    }
}
