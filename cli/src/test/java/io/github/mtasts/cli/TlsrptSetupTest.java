package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which store the tlsrpt commands use for which cache type. */
class TlsrptSetupTest {

    @TempDir
    Path dir;

    private TlsrptSetup load(String yaml) throws IOException, ConfigException {
        return TlsrptSetup.load(Files.writeString(dir.resolve("mtasts.yml"), yaml), List.of());
    }

    @Test
    void sqliteCacheKeepsTheTlsrptDataInTheSameFile() throws Exception {
        TlsrptSetup setup = load("cache: {type: sqlite, options: {filename: /var/lib/mtasts/cache.db}}\n");

        assertThat(setup.store()).isEqualTo(setup.policies()).isInstanceOf(CacheConfig.Sqlite.class);
    }

    @Test
    void postgresCacheKeepsTheTlsrptDataInTheSameDatabaseWithItsOptions() throws Exception {
        TlsrptSetup setup = load("cache: {type: postgres, options: {dsn: \"postgres://m:secret@db/mtasts\","
                + " timeout: 2, max_size: 3}}\n");

        assertThat(setup.store()).isEqualTo(new CacheConfig.Postgres("postgres://m:secret@db/mtasts",
                Duration.ofSeconds(2), OptionalInt.empty(), OptionalInt.of(3)));
    }

    @Test
    void tlsrptStoreOverridesTheCachesDatabase() throws Exception {
        TlsrptSetup setup = load("""
                cache: {type: sqlite, options: {filename: /var/lib/mtasts/cache.db}}
                tlsrpt:
                  store: {type: postgres, options: {dsn: "postgres://tlsrpt@db/mtasts"}}
                """);

        assertThat(setup.policies()).isInstanceOf(CacheConfig.Sqlite.class);
        assertThat(setup.store()).isInstanceOf(CacheConfig.Postgres.class);
    }

    @Test
    void memoryAndRedisCachesRequireTheTlsrptStoreNamingTheKey() throws Exception {
        for (String cache : List.of("cache: {type: internal}\n", "cache: {type: redis, options: {url: \"redis://r\"}}\n",
                "cache: {type: redis_sentinel, options: {sentinel_master_name: m, sentinels: [[s, 26379]]}}\n")) {
            assertThatThrownBy(() -> load(cache)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("keeps no TLSRPT data")
                    .hasMessageContaining("set tlsrpt.store: {type: sqlite");
        }
        TlsrptSetup setup = load("""
                cache: {type: redis, options: {url: "redis://r"}}
                tlsrpt:
                  store: {type: sqlite, options: {filename: /var/lib/mtasts/tlsrpt.db}}
                """);
        assertThat(setup.policies().type()).isEqualTo("redis");
        assertThat(setup.store()).isEqualTo(new CacheConfig.Sqlite(Path.of("/var/lib/mtasts/tlsrpt.db"), 1,
                CacheConfig.DEFAULT_STORE_TIMEOUT));
    }
}
