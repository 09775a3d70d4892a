package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class PolicyModeTest {
    @Test
    void wireNamesAreTheRfcModeValues() {
        assertThat(PolicyMode.values()).extracting(PolicyMode::wireName).containsExactly("enforce", "testing", "none");
    }

    @Property(tries = 10)
    void everyModeParsesFromItsWireName(@ForAll PolicyMode mode) throws Exception {
        assertThat(StsPolicy.parse("version: STSv1\nmode: " + mode.wireName() + "\nmx: mx.example.com\nmax_age: 1\n").mode())
                .isEqualTo(mode);
    }
}
