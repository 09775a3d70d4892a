package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.store.PostgresDsn;
import java.nio.file.Path;
import java.util.Optional;

/** Which database holds the received reports, and opening it. */
public final class InboundStores {

    /** Connections when the pool size is not configured: the milter and the dashboard each use one. */
    private static final int DEFAULT_POOL = 2;

    private InboundStores() {
    }

    /**
     * {@code tlsrpt.store} when given; else the policy cache's database when it is SQLite (the same file) or
     * PostgreSQL (the same database, shared by a fleet's milters); with another cache type (memory, Redis) the
     * default SQLite file, since reports must outlive a restart.
     *
     * @param tlsrptStore the {@code tlsrpt.store} key: a {@link CacheConfig.Sqlite} or {@link CacheConfig.Postgres}
     * @return a {@link CacheConfig.Sqlite} or {@link CacheConfig.Postgres}
     */
    public static CacheConfig location(DaemonConfig config, Optional<CacheConfig> tlsrptStore) {
        if (tlsrptStore.isPresent()) {
            return tlsrptStore.get();
        }
        if (config.cache() instanceof CacheConfig.Sqlite || config.cache() instanceof CacheConfig.Postgres) {
            return config.cache();
        }
        return new CacheConfig.Sqlite(CacheConfig.DEFAULT_SQLITE_FILE, 1, CacheConfig.DEFAULT_STORE_TIMEOUT);
    }

    /**
     * Opens the store at {@code location}.
     *
     * @throws InboundStoreException when it cannot be opened
     */
    public static InboundReportStore open(CacheConfig location) {
        if (location instanceof CacheConfig.Postgres postgres) {
            try {
                return PostgresInboundReportStore.open(postgres.dsn(), postgres.timeout(),
                        postgres.minSize().orElse(1), postgres.maxSize().orElse(DEFAULT_POOL));
            } catch (IllegalArgumentException e) {
                throw new InboundStoreException("cannot open inbound report database: " + e.getMessage(), e);
            }
        }
        return SqliteInboundReportStore.open(((CacheConfig.Sqlite) location).filename());
    }

    /** The store's file, or its dsn without the password, for messages. */
    public static String describe(CacheConfig location) {
        return location instanceof CacheConfig.Postgres postgres ? PostgresDsn.redact(postgres.dsn())
                : ((CacheConfig.Sqlite) location).filename().toString();
    }

    /** The policy cache's SQLite file, when the cache is SQLite. */
    public static Optional<Path> policyCacheFile(DaemonConfig config) {
        return config.cache() instanceof CacheConfig.Sqlite sqlite ? Optional.of(sqlite.filename()) : Optional.empty();
    }
}
