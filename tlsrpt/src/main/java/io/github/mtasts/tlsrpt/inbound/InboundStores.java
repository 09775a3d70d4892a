package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaemonConfig;
import java.nio.file.Path;
import java.util.Optional;

/** Which database holds the received reports. */
public final class InboundStores {

    private InboundStores() {
    }

    /**
     * The policy cache's SQLite file when the cache is SQLite, so one file holds all our state; with another
     * cache type (memory, Redis, PostgreSQL) the default SQLite file, since reports must outlive a restart.
     */
    public static Path sqliteFile(DaemonConfig config) {
        return policyCacheFile(config).orElse(CacheConfig.DEFAULT_SQLITE_FILE);
    }

    /** The policy cache's SQLite file, when the cache is SQLite. */
    public static Optional<Path> policyCacheFile(DaemonConfig config) {
        return config.cache() instanceof CacheConfig.Sqlite sqlite ? Optional.of(sqlite.filename()) : Optional.empty();
    }
}
