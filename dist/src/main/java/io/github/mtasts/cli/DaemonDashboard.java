package io.github.mtasts.cli;

import com.sun.net.httpserver.HttpHandler;
import io.github.mtasts.resolver.cache.PolicyStore;
import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.dashboard.DashboardHandler;
import io.github.mtasts.tlsrpt.dashboard.Outbound;
import io.github.mtasts.tlsrpt.inbound.InboundStores;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard page the daemon serves at {@code /} of its HTTP listener when {@code dashboard.enabled}: the
 * received reports from the milter's SQLite file, our outbound aggregates from the SQLite file {@code tlsrpt}
 * writes (the policy cache's, so only with cache type sqlite), and the policy cache through the daemon's own store,
 * so that section works with every cache type (a page view reads it under the store's own locking, off the
 * socketmap request path). Wired here because the resolver knows nothing of TLSRPT.
 */
final class DaemonDashboard implements AutoCloseable {

    private final SqliteInboundReportStore inbound;
    private final Optional<SqliteAggregateStore> aggregates;
    private final HttpHandler handler;

    private DaemonDashboard(SqliteInboundReportStore inbound, Optional<SqliteAggregateStore> aggregates,
                            HttpHandler handler) {
        this.inbound = inbound;
        this.aggregates = aggregates;
        this.handler = handler;
    }

    /**
     * Opens the stores the page reads; empty when the dashboard is off.
     *
     * @param policies the daemon's policy store, which it keeps open and closes itself
     * @throws RuntimeException (an inbound or aggregate store exception) naming the file that cannot be opened
     */
    static Optional<DaemonDashboard> open(DaemonConfig config, PolicyStore policies, Clock clock) {
        if (!config.dashboard().enabled()) {
            return Optional.empty();
        }
        SqliteInboundReportStore inbound = SqliteInboundReportStore.open(InboundStores.sqliteFile(config));
        try {
            Optional<SqliteAggregateStore> aggregates = Optional.empty();
            Outbound.Source outbound;
            if (config.cache() instanceof CacheConfig.Sqlite sqlite) {
                aggregates = Optional.of(SqliteAggregateStore.open(sqlite.filename()));
                outbound = Outbound.Source.of(aggregates.get());
            } else {
                outbound = Outbound.Source.unavailable("the outbound aggregates live in the SQLite file of cache"
                        + " type sqlite, where mtasts tlsrpt writes them; this daemon's cache type is "
                        + config.cache().type());
            }
            return Optional.of(new DaemonDashboard(inbound, aggregates,
                    new DashboardHandler(config.dashboard(), inbound, outbound, policies, clock)));
        } catch (RuntimeException e) {
            inbound.close();
            throw e;
        }
    }

    /** The page by path, for {@code ResolverDaemon.start}. */
    Map<String, HttpHandler> pages() {
        return Map.of("/", handler);
    }

    /** Closes the stores opened here; call after the daemon's listener has stopped. */
    @Override
    public void close() {
        aggregates.ifPresent(SqliteAggregateStore::close);
        inbound.close();
    }
}
