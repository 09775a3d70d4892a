package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStores;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.PostgresAggregateStore;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.PostgresDeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place the tlsrpt commands open their stores, as {@link TlsrptSetup} names them: the TLSRPT data in the
 * SQLite file of one host or the PostgreSQL database of a fleet, and the daemon's policy store, of any type, for
 * the policies it served. The caller closes what it opened.
 */
final class TlsrptStores {
    private static final Logger LOG = LoggerFactory.getLogger(TlsrptStores.class);

    /** Connections per store: the commands use each store from one or two threads. */
    private static final int DEFAULT_POOL = 2;

    private TlsrptStores() {
    }

    /** Refuses a SQLite store whose directory is missing, before anything is created. */
    static void requireUsable(TlsrptSetup setup) throws ConfigException {
        if (setup.store() instanceof CacheConfig.Sqlite sqlite) {
            Path parent = sqlite.filename().toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                String key = setup.tlsrpt().store().isPresent() ? "tlsrpt.store.options.filename"
                        : "cache.options.filename";
                throw new ConfigException(key + ": directory " + parent + " does not exist");
            }
        }
    }

    /**
     * The daemon's policy store, read for the policies it served. The memory store of {@code cache.type:
     * internal} dies with the daemon, so nothing can be read: every session then counts as without a policy.
     */
    static PolicyStore policies(TlsrptSetup setup) {
        CacheConfig cache = setup.policies();
        if (cache instanceof CacheConfig.Sqlite sqlite) {
            return SqlitePolicyStore.open(sqlite.filename());
        }
        if (cache instanceof CacheConfig.Internal) {
            LOG.warn("cache.type: internal records no served policies; sessions are counted as without an MTA-STS"
                    + " policy (use sqlite, postgres or redis for reports that name the policy)");
            return new MemoryPolicyStore(MemoryPolicyStore.DEFAULT_CACHE_SIZE);
        }
        return PolicyStores.openShared(cache);
    }

    static AggregateStore aggregates(TlsrptSetup setup) {
        if (setup.store() instanceof CacheConfig.Postgres postgres) {
            return PostgresAggregateStore.open(postgres.dsn(), postgres.timeout(), postgres.minSize().orElse(1),
                    postgres.maxSize().orElse(DEFAULT_POOL), setup.tlsrpt().hostName());
        }
        return SqliteAggregateStore.open(((CacheConfig.Sqlite) setup.store()).filename());
    }

    static DeliveryQueue queue(TlsrptSetup setup) {
        if (setup.store() instanceof CacheConfig.Postgres postgres) {
            return PostgresDeliveryQueue.open(postgres.dsn(), postgres.timeout(), postgres.minSize().orElse(1),
                    postgres.maxSize().orElse(DEFAULT_POOL));
        }
        return SqliteDeliveryQueue.open(((CacheConfig.Sqlite) setup.store()).filename());
    }
}
