package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.config.TlsrptConfigLoader;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the tlsrpt commands take from the one configuration file: the database file of the resolver's SQLite store
 * (served policies are read from it, counters written into it) and the {@code tlsrpt:} section.
 */
record TlsrptSetup(Path database, TlsrptConfig tlsrpt) {

    static TlsrptSetup load(Path explicit, List<Path> defaults) throws ConfigException {
        Optional<Path> file = ConfigLocation.resolve(explicit, defaults);
        DaemonConfig daemon = ConfigFiles.load(file);
        TlsrptConfig tlsrpt = file.isPresent() ? TlsrptConfigLoader.load(file.get()) : TlsrptConfig.defaults();
        if (!(daemon.cache() instanceof CacheConfig.Sqlite sqlite)) {
            throw new ConfigException(file.map(Path::toString).orElse("built-in defaults") + ": cache.type: tlsrpt"
                    + " needs the sqlite store, where the resolver records the policies it serves; got "
                    + daemon.cache().type());
        }
        return new TlsrptSetup(sqlite.filename(), tlsrpt);
    }
}
