package io.github.mtasts.resolver.store;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CachedPolicyTest {

    static final Instant T0 = Instant.parse("2026-11-29T01:00:00Z");

    @Test
    void fetchedPolicyExpiresMaxAgeAfterTheFetch() {
        CachedPolicy p = CachedPolicy.fetched("example.com", "1", enforce(3600, "mx"), T0);

        assertThat(p.fetchedAt()).isEqualTo(T0);
        assertThat(p.lastCheckedAt()).isEqualTo(T0);
        assertThat(p.expiresAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(p.confirmedAt()).isEqualTo(T0);
    }

    @Test
    void confirmationCountsMaxAgeAgainButKeepsTheFetchTime() {
        CachedPolicy p = CachedPolicy.fetched("example.com", "1", enforce(3600, "mx"), T0)
                .confirmed(T0.plusSeconds(1000));

        assertThat(p.fetchedAt()).isEqualTo(T0);
        assertThat(p.confirmedAt()).isEqualTo(T0.plusSeconds(1000));
        assertThat(p.expiresAt()).isEqualTo(T0.plusSeconds(4600));
        assertThat(p.lastCheckedAt()).isEqualTo(T0.plusSeconds(1000));
    }

    @Test
    void aCheckWithoutConfirmationMovesOnlyLastCheckedAt() {
        CachedPolicy fetched = CachedPolicy.fetched("example.com", "1", enforce(3600, "mx"), T0);

        CachedPolicy checked = fetched.checked(T0.plusSeconds(1000));

        assertThat(checked.expiresAt()).isEqualTo(fetched.expiresAt());
        assertThat(checked.lastCheckedAt()).isEqualTo(T0.plusSeconds(1000));
    }

    @Test
    void usableStrictlyBeforeExpiry() {
        CachedPolicy p = CachedPolicy.fetched("example.com", "1", enforce(60, "mx"), T0);

        assertThat(p.usableAt(T0.plusSeconds(59))).isTrue();
        assertThat(p.usableAt(T0.plusSeconds(60))).isFalse();
    }

    @Test
    void expiryBeforeFetchIsRejectedNamingTheDomain() {
        assertThatThrownBy(() -> new CachedPolicy("example.com", "1", enforce(60, "mx"), T0, T0.minusSeconds(1), T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example.com")
                .hasMessageContaining("before fetchedAt");
    }
}
