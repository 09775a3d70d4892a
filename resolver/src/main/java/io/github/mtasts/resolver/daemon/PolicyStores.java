package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.cache.MemoryPolicyStore;
import io.github.mtasts.resolver.cache.PolicyStore;
import io.github.mtasts.resolver.cache.SqlitePolicyStore;
import io.github.mtasts.resolver.config.CacheConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the policy store the {@code cache:} section names. */
final class PolicyStores {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyStores.class);

    private PolicyStores() {
    }

    /**
     * @throws UnsupportedStoreException for a store type this build cannot open (so start-up fails with the reason
     *                                   instead of silently serving without the shared store the operator asked for)
     */
    static PolicyStore open(CacheConfig config) {
        if (config instanceof CacheConfig.Internal internal) {
            return new MemoryPolicyStore(internal.cacheSize());
        }
        if (config instanceof CacheConfig.Sqlite sqlite) {
            return openSqlite(sqlite.filename());
        }
        throw new UnsupportedStoreException("cache.type: " + config.type()
                + " is not available in this version; use sqlite (default) or internal");
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

    static final class UnsupportedStoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsupportedStoreException(String message) {
            super(message);
        }
    }
}
