package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the tlsrpt commands take from the one configuration file: the daemon's policy store (the policies it served
 * are read from it, whatever its type), the store of the TLSRPT data, the {@code tlsrpt:} section, and the daemon's
 * configuration (its {@code dns:} and {@code dnssec:} sections serve the DANE lookups of {@code tlsrpt.dane}).
 *
 * @param policies where the resolver records the policies it serves ({@code cache:})
 * @param store    where counters, offsets and the delivery queue live: a {@link CacheConfig.Sqlite} or
 *                 {@link CacheConfig.Postgres}
 * @param daemon   the rest of the file's resolver part
 */
record TlsrptSetup(CacheConfig policies, CacheConfig store, TlsrptConfig tlsrpt, DaemonConfig daemon) {

    static TlsrptSetup load(Path explicit, List<Path> defaults) throws ConfigException {
        Optional<Path> file = ConfigLocation.resolve(explicit, defaults);
        return of(ConfigFiles.load(file), file);
    }

    /** The setup of a loaded configuration; {@code file} names it in errors. */
    static TlsrptSetup of(Configuration configuration, Optional<Path> file) throws ConfigException {
        CacheConfig cache = configuration.daemon().cache();
        return new TlsrptSetup(cache, store(file, cache, configuration.tlsrpt()), configuration.tlsrpt(),
                configuration.daemon());
    }

    /**
     * {@code tlsrpt.store} when given; else the policy cache's own database, SQLite file or PostgreSQL, so one
     * database holds every durable fact. Memory and Redis keep no TLSRPT data (counters must survive restarts,
     * and Redis serves only as a policy cache), so with them the key is required.
     */
    static CacheConfig store(Optional<Path> file, CacheConfig cache, TlsrptConfig tlsrpt) throws ConfigException {
        Optional<CacheConfig> store = storeIfAny(cache, tlsrpt);
        if (store.isPresent()) {
            return store.get();
        }
        throw new ConfigException(file.map(Path::toString).orElse("built-in defaults") + ": cache.type: "
                + cache.type() + " keeps no TLSRPT data; set tlsrpt.store: {type: sqlite, options: {filename: ...}}"
                + " or {type: postgres, options: {dsn: ...}}");
    }

    /** The store of {@link #store}; empty where that one is an error. */
    static Optional<CacheConfig> storeIfAny(CacheConfig cache, TlsrptConfig tlsrpt) {
        if (tlsrpt.store().isPresent()) {
            return tlsrpt.store();
        }
        if (cache instanceof CacheConfig.Sqlite || cache instanceof CacheConfig.Postgres) {
            return Optional.of(cache);
        }
        return Optional.empty();
    }
}
