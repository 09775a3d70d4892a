package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.config.CacheConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the policy store the {@code cache:} section names. */
public final class PolicyStores {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyStores.class);
    /** Connections when {@code max_size} is not given: the cache uses the store from one thread. */
    private static final int DEFAULT_POSTGRES_POOL = 2;

    private PolicyStores() {
    }

    /**
     * A shared store (postgres, redis) that cannot be reached at start-up is opened anyway: the cache serves from
     * memory and the store connects when its server answers. A store that cannot be opened at all (malformed dsn or
     * url, schema newer than ours) leaves the daemon on memory, loudly: mail must flow while the operator fixes it.
     */
    public static PolicyStore open(CacheConfig config) {
        if (config instanceof CacheConfig.Internal internal) {
            return new MemoryPolicyStore(internal.cacheSize());
        }
        if (config instanceof CacheConfig.Sqlite sqlite) {
            return openSqlite(sqlite.filename());
        }
        try {
            return openShared(config);
        } catch (RuntimeException e) {
            LOG.error("cannot open the {} policy store ({}); serving from memory only: this daemon shares no"
                    + " policies and keeps none across a restart until this is fixed", config.type(), e.getMessage());
            return new MemoryPolicyStore(MemoryPolicyStore.DEFAULT_CACHE_SIZE);
        }
    }

    /**
     * Opens a postgres, redis or redis_sentinel store without the daemon's fallback to memory: for the TLSRPT
     * commands, which read the policies the daemons served from it and must fail rather than read nothing.
     *
     * @throws RuntimeException when the store cannot be opened (malformed dsn or url, schema newer than ours)
     */
    public static PolicyStore openShared(CacheConfig config) {
        if (config instanceof CacheConfig.Postgres postgres) {
            int maxSize = postgres.maxSize().orElse(DEFAULT_POSTGRES_POOL);
            return PostgresPolicyStore.open(postgres.dsn(), postgres.timeout(),
                    postgres.minSize().orElse(1), maxSize);
        }
        if (config instanceof CacheConfig.Redis redis) {
            CacheConfig.RedisOptions o = redis.options();
            return RedisPolicyStore.open(redis.url(), o.username(), o.password(), boxed(o.db()), o.socketTimeout(),
                    o.socketConnectTimeout());
        }
        if (config instanceof CacheConfig.RedisSentinel sentinel) {
            CacheConfig.RedisOptions o = sentinel.options();
            return RedisPolicyStore.openSentinel(sentinel.sentinelMasterName(), sentinel.sentinels().stream()
                            .map(s -> new RedisPolicyStore.SentinelAddress(s.host(), s.port())).toList(),
                    o.username(), o.password(), boxed(o.db()), o.socketTimeout(), o.socketConnectTimeout());
        }
        throw new IllegalStateException("cache type without a store: " + config.type());
    }

    private static Optional<Integer> boxed(OptionalInt value) {
        return value.isPresent() ? Optional.of(value.getAsInt()) : Optional.empty();
    }

    /**
     * An unusable SQLite file must not stop mail: the daemon serves from memory, loudly, because a restart then
     * forgets every policy (a downgrade window).
     */
    private static PolicyStore openSqlite(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return SqlitePolicyStore.open(file);
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot open the policy store {} ({}); serving from memory only: policies will not survive"
                    + " a restart until this is fixed", file, e.getMessage());
            return new MemoryPolicyStore(MemoryPolicyStore.DEFAULT_CACHE_SIZE);
        }
    }
}
