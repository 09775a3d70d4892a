package io.github.mtasts.resolver.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** The policy store, {@code cache: {type, options}}; one record per type with that type's options. */
public sealed interface CacheConfig {

    /** Our default when the {@code cache} key is absent: policies survive a restart (RFC 8461 §5). */
    Path DEFAULT_SQLITE_FILE = Path.of("/var/lib/mtasts/cache.db");
    Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(5);

    /** The {@code type} value naming this store in the file. */
    String type();

    /** In-memory store, lost on restart. */
    record Internal(int cacheSize) implements CacheConfig {
        public static final int DEFAULT_CACHE_SIZE = 10000;

        public Internal {
            if (cacheSize < 1) {
                throw new IllegalArgumentException("cache_size must be at least 1: " + cacheSize);
            }
        }

        @Override
        public String type() {
            return "internal";
        }
    }

    /**
     * SQLite file store.
     *
     * @param threads connections in the pool
     * @param timeout limit for acquiring a connection or the database lock
     */
    record Sqlite(Path filename, int threads, Duration timeout) implements CacheConfig {
        public static final Sqlite DEFAULT =
                new Sqlite(DEFAULT_SQLITE_FILE, Runtime.getRuntime().availableProcessors(), DEFAULT_STORE_TIMEOUT);

        public Sqlite {
            Objects.requireNonNull(filename, "filename");
            Objects.requireNonNull(timeout, "timeout");
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1: " + threads);
            }
        }

        @Override
        public String type() {
            return "sqlite";
        }
    }

    /** Connection settings shared by both Redis store types. */
    record RedisOptions(Optional<String> username, Optional<String> password, OptionalInt db,
                        OptionalInt maxConnections, Duration socketTimeout, Duration socketConnectTimeout) {
        public RedisOptions {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(maxConnections, "maxConnections");
            Objects.requireNonNull(socketTimeout, "socketTimeout");
            Objects.requireNonNull(socketConnectTimeout, "socketConnectTimeout");
        }
    }

    /** Redis reached by a {@code redis://}, {@code rediss://} or {@code unix://} URL. */
    record Redis(String url, RedisOptions options) implements CacheConfig {
        public Redis {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public String type() {
            return "redis";
        }
    }

    /** One Redis Sentinel to ask for the current master. */
    record Sentinel(String host, int port) {
        public Sentinel {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("sentinel port out of range: " + port);
            }
        }
    }

    /** Redis master found through Sentinels. */
    record RedisSentinel(String sentinelMasterName, List<Sentinel> sentinels, RedisOptions options)
            implements CacheConfig {
        public RedisSentinel {
            Objects.requireNonNull(sentinelMasterName, "sentinelMasterName");
            sentinels = List.copyOf(sentinels);
            if (sentinels.isEmpty()) {
                throw new IllegalArgumentException("at least one sentinel is needed");
            }
            Objects.requireNonNull(options, "options");
        }

        @Override
        public String type() {
            return "redis_sentinel";
        }
    }

    /**
     * PostgreSQL, for several daemons sharing one store.
     *
     * @param dsn     libpq connection URI, e.g. {@code postgres://user@%2Frun%2Fpostgresql/db}
     * @param timeout limit for acquiring a connection from the pool
     */
    record Postgres(String dsn, Duration timeout, OptionalInt minSize, OptionalInt maxSize) implements CacheConfig {
        public Postgres {
            Objects.requireNonNull(dsn, "dsn");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(minSize, "minSize");
            Objects.requireNonNull(maxSize, "maxSize");
        }

        @Override
        public String type() {
            return "postgres";
        }
    }
}
