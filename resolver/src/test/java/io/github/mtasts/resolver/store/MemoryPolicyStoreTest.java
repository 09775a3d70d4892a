package io.github.mtasts.resolver.store;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryPolicyStoreTest extends PolicyStoreContract {

    @Override
    PolicyStore newStore() {
        return new MemoryPolicyStore(MemoryPolicyStore.DEFAULT_CACHE_SIZE);
    }

    @Test
    void leastRecentlyUsedPolicyIsDroppedBeyondCacheSize() {
        MemoryPolicyStore small = new MemoryPolicyStore(2);
        small.save(cached("a.example", "1", enforce(600, "mx.a.example")));
        small.save(cached("b.example", "1", enforce(600, "mx.b.example")));
        small.load("a.example");

        small.save(cached("c.example", "1", enforce(600, "mx.c.example")));

        assertThat(small.loadAll()).extracting(CachedPolicy::domain)
                .containsExactlyInAnyOrder("a.example", "c.example");
    }

    @Test
    void cacheSizeBelowOneIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> new MemoryPolicyStore(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cache_size");
    }
}
