package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.daemon.HttpEndpoint;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.dashboard.DashboardHandler;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.dashboard.Outbound;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import io.github.mtasts.tlsrpt.inbound.InboundStores;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard page the daemon serves at {@code /} of its HTTP listener when {@code dashboard.enabled}: the
 * received reports from the milter's store, our outbound aggregates from the store {@code tlsrpt} writes (both
 * chosen as those commands choose them: {@link InboundStores}, {@link TlsrptSetup}), and the policy cache through
 * the daemon's own store,
 * so that section works with every cache type (a page view reads it under the store's own locking, off the
 * socketmap request path). Wired here because the resolver knows nothing of TLSRPT.
 */
final class DaemonDashboard implements AutoCloseable {

    private final InboundReportStore inbound;
    private final Optional<AggregateStore> aggregates;
    private final Optional<DeliveryQueue> deliveries;
    private final HttpEndpoint.Handler handler;

    private DaemonDashboard(InboundReportStore inbound, Optional<AggregateStore> aggregates,
                            Optional<DeliveryQueue> deliveries, HttpEndpoint.Handler handler) {
        this.inbound = inbound;
        this.aggregates = aggregates;
        this.deliveries = deliveries;
        this.handler = handler;
    }

    /**
     * Opens the stores the page reads; empty when the dashboard is off.
     *
     * @param configuration {@code dashboard:}, the daemon's cache and {@code tlsrpt.store}
     * @param policies      the daemon's policy store, which it keeps open and closes itself
     * @throws RuntimeException (an inbound or aggregate store exception) naming the store that cannot be opened
     */
    static Optional<DaemonDashboard> open(Configuration configuration, PolicyStore policies, Clock clock) {
        if (!configuration.dashboard().enabled()) {
            return Optional.empty();
        }
        DaemonConfig config = configuration.daemon();
        TlsrptConfig tlsrpt = configuration.tlsrpt();
        InboundReportStore inbound = InboundStores.open(InboundStores.location(config, tlsrpt.store()));
        Optional<AggregateStore> aggregates = Optional.empty();
        try {
            Optional<DeliveryQueue> deliveries = Optional.empty();
            Outbound.Source outbound;
            Optional<CacheConfig> store = TlsrptSetup.storeIfAny(config.cache(), tlsrpt);
            if (store.isPresent()) {
                TlsrptSetup setup = new TlsrptSetup(config.cache(), store.get(), tlsrpt, config);
                aggregates = Optional.of(TlsrptStores.aggregates(setup));
                // the queue tlsrpt writes beside its aggregates: the domain page lists the reports sent
                deliveries = Optional.of(TlsrptStores.queue(setup));
                outbound = Outbound.Source.of(aggregates.get());
            } else {
                outbound = Outbound.Source.unavailable("mtasts tlsrpt writes the outbound aggregates to tlsrpt.store,"
                        + " or to the cache's database with cache type sqlite or postgres; this daemon's cache type is "
                        + config.cache().type() + " and tlsrpt.store is not set");
            }
            return Optional.of(new DaemonDashboard(inbound, aggregates, deliveries,
                    new DashboardHandler(inbound, outbound, policies, deliveries, clock)));
        } catch (RuntimeException e) {
            aggregates.ifPresent(AggregateStore::close);
            inbound.close();
            throw e;
        }
    }

    /** The page by path, for {@code ResolverDaemon.start}. */
    Map<String, HttpEndpoint.Handler> pages() {
        return Map.of("/", handler);
    }

    /** Closes the stores opened here; call after the daemon's listener has stopped. */
    @Override
    public void close() {
        deliveries.ifPresent(DeliveryQueue::close);
        aggregates.ifPresent(AggregateStore::close);
        inbound.close();
    }
}
