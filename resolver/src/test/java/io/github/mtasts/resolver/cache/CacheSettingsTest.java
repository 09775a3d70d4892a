package io.github.mtasts.resolver.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.cache.CacheSettings.ProactiveFetching;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheSettingsTest {

    @Test
    void defaultsFollowThePythonTool() {
        CacheSettings settings = CacheSettings.defaults();

        assertThat(settings.cacheGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.noPolicyTtl()).isEqualTo(settings.cacheGrace());
        assertThat(settings.failureTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.proactive()).isEqualTo(new ProactiveFetching(false, Duration.ofSeconds(86_400), 100, 2.0));
    }

    @Test
    void noPolicyIsRememberedForTheConfiguredCacheGrace() {
        assertThat(CacheSettings.withCacheGrace(Duration.ofSeconds(300)).noPolicyTtl())
                .isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void proactiveRunSkipsPoliciesYoungerThanIntervalOverGraceRatio() {
        assertThat(new ProactiveFetching(true, Duration.ofSeconds(86_400), 100, 2.0).skipYoungerThan())
                .isEqualTo(Duration.ofSeconds(43_200));
        assertThat(new ProactiveFetching(true, Duration.ofSeconds(1000), 100, 0.5).skipYoungerThan())
                .isEqualTo(Duration.ofSeconds(2000));
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> CacheSettings.withCacheGrace(Duration.ZERO))
                .hasMessageContaining("cache_grace");
        assertThatThrownBy(() -> new ProactiveFetching(true, Duration.ofSeconds(10), 0, 2.0))
                .hasMessageContaining("proactive_policy_fetching.concurrency_limit");
        assertThatThrownBy(() -> new ProactiveFetching(true, Duration.ofSeconds(10), 1, 0.0))
                .hasMessageContaining("proactive_policy_fetching.grace_ratio");
        assertThatThrownBy(() -> new ProactiveFetching(true, Duration.ofSeconds(10), 1, Double.NaN))
                .hasMessageContaining("proactive_policy_fetching.grace_ratio");
        assertThatThrownBy(() -> new ProactiveFetching(true, Duration.ZERO, 1, 2.0))
                .hasMessageContaining("proactive_policy_fetching.interval");
    }
}
