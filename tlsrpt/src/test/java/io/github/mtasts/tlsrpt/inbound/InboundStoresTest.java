package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Where received reports are kept for each cache type. */
class InboundStoresTest {

    private static DaemonConfig config(String yaml) throws ConfigException {
        return ConfigLoader.parse("mtasts.yml", yaml);
    }

    @Test
    void sqliteAndPostgresCachesKeepTheReportsInTheirDatabase() throws ConfigException {
        DaemonConfig sqlite = config("cache: {type: sqlite, options: {filename: /var/lib/mtasts/x.db}}\n");
        DaemonConfig postgres = config("cache: {type: postgres, options: {dsn: \"postgres://m:pw@db/mtasts\"}}\n");

        assertThat(InboundStores.location(sqlite, Optional.empty())).isEqualTo(sqlite.cache());
        assertThat(InboundStores.location(postgres, Optional.empty())).isEqualTo(postgres.cache());
        assertThat(InboundStores.describe(postgres.cache())).isEqualTo("postgres://m:***@db/mtasts");
    }

    @Test
    void memoryAndRedisCachesUseTheDefaultFileUnlessTheTlsrptStoreIsGiven() throws ConfigException {
        DaemonConfig redis = config("cache: {type: redis, options: {url: \"redis://r\"}}\n");
        CacheConfig shared = new CacheConfig.Postgres("postgres://db/mtasts", Duration.ofSeconds(5),
                OptionalInt.empty(), OptionalInt.empty());

        assertThat(InboundStores.describe(InboundStores.location(redis, Optional.empty())))
                .isEqualTo(CacheConfig.DEFAULT_SQLITE_FILE.toString());
        assertThat(InboundStores.location(config("cache: {type: internal}\n"), Optional.of(shared))).isEqualTo(shared);
        assertThat(InboundStores.location(config("cache: {type: sqlite, options: {filename: /x.db}}\n"),
                Optional.of(new CacheConfig.Sqlite(Path.of("/y.db"), 1, Duration.ofSeconds(5)))))
                .extracting(InboundStores::describe).isEqualTo("/y.db");
    }
}
