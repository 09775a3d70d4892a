package io.github.mtasts.resolver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyStoresTest {

    @TempDir
    Path dir;

    static CachedPolicy policy() throws Exception {
        Instant now = Instant.parse("2026-11-29T00:00:00Z");
        return new CachedPolicy("example.com", "1",
                StsPolicy.parse("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n"),
                now, now.plusSeconds(86400), now);
    }

    @Test
    void internalCacheIsMemoryOfItsSize() throws Exception {
        try (PolicyStore store = PolicyStores.open(new CacheConfig.Internal(1))) {
            assertThat(store).isInstanceOf(MemoryPolicyStore.class);
            store.save(policy());
            store.save(new CachedPolicy("example.net", "1", policy().policy(), policy().fetchedAt(),
                    policy().expiresAt(), policy().lastCheckedAt()));
            assertThat(store.loadAll()).extracting(CachedPolicy::domain).containsExactly("example.net");
        }
    }

    @Test
    void sqliteFileIsCreatedWithItsMissingDirectories() throws Exception {
        Path file = dir.resolve("state/mtasts/cache.db");
        try (PolicyStore store = PolicyStores.open(new CacheConfig.Sqlite(file, 1, Duration.ofSeconds(5)))) {
            assertThat(store).isInstanceOf(SqlitePolicyStore.class);
            store.save(policy());
        }
        assertThat(file).exists();
    }

    @Test
    void sqliteFileThatCannotBeOpenedLeavesAWorkingMemoryStore() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        try (PolicyStore store = PolicyStores.open(
                new CacheConfig.Sqlite(notADirectory.resolve("cache.db"), 1, Duration.ofSeconds(5)))) {
            assertThat(store).isInstanceOf(MemoryPolicyStore.class);
            store.save(policy());
            assertThat(store.load("example.com")).contains(policy());
        }
    }

    @Test
    void sharedStoreThatCannotBeOpenedLeavesAWorkingMemoryStore() throws Exception {
        try (PolicyStore store = PolicyStores.open(new CacheConfig.Postgres("mysql://db.example/cache",
                Duration.ofSeconds(1), OptionalInt.empty(), OptionalInt.empty()))) {
            assertThat(store).isInstanceOf(MemoryPolicyStore.class);
            store.save(policy());
            assertThat(store.load("example.com")).contains(policy());
        }
    }
}
