package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.cache.PolicyStore;
import io.github.mtasts.resolver.cache.PolicyStoreException;
import io.github.mtasts.resolver.cache.SqlitePolicyStore;
import io.github.mtasts.resolver.config.MilterConfig;
import io.github.mtasts.resolver.daemon.MetricsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything {@code mtasts milter} runs, started from the {@code milter:} section: the store, the optional
 * metrics and dashboard listeners, and the milter listener last, so Postfix only reaches a milter whose
 * store is open. A part that fails to start closes the ones before it.
 */
public final class MilterService implements AutoCloseable {

    private final Deque<AutoCloseable> started;
    private final MilterServer milter;
    private final Optional<MetricsEndpoint> metrics;
    private final Optional<DashboardServer> dashboard;

    private MilterService(Deque<AutoCloseable> started, MilterServer milter, Optional<MetricsEndpoint> metrics,
                          Optional<DashboardServer> dashboard) {
        this.started = started;
        this.milter = milter;
        this.metrics = metrics;
        this.dashboard = dashboard;
    }

    /**
     * Starts the milter service with reports stored in the store {@code opening} opens; the service closes it.
     *
     * @param policyCache the SQLite policy cache, shown on the dashboard; empty when the cache lives elsewhere
     */
    public static MilterService start(MilterConfig config, Supplier<InboundReportStore> opening,
                                      Optional<Path> policyCache) throws StartException {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            InboundReportStore store = opening.get();
            started.push(store);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Optional<MetricsEndpoint> metrics = Optional.empty();
            if (config.metrics().enabled()) {
                MetricsEndpoint endpoint = new MetricsEndpoint(config.metrics().host(), config.metrics().port(), registry);
                try {
                    endpoint.start();
                } catch (IOException e) {
                    throw new StartException("cannot serve milter metrics on " + config.metrics().host() + ":"
                            + config.metrics().port() + ": " + e.getMessage(), e);
                }
                started.push(endpoint);
                metrics = Optional.of(endpoint);
            }
            Optional<DashboardServer> dashboard = Optional.empty();
            if (config.dashboard().enabled()) {
                Optional<PolicyStore> policies = Optional.empty();
                if (policyCache.isPresent()) {
                    try {
                        SqlitePolicyStore policyStore = SqlitePolicyStore.open(policyCache.get());
                        started.push(policyStore::close);
                        policies = Optional.of(policyStore);
                    } catch (PolicyStoreException e) {
                        throw new StartException("dashboard: " + e.getMessage(), e);
                    }
                }
                try {
                    DashboardServer server = DashboardServer.start(new InetSocketAddress(config.dashboard().host(),
                            config.dashboard().port()), store, policies, config.dashboard().token(), Clock.systemUTC());
                    started.push(server);
                    dashboard = Optional.of(server);
                } catch (IOException e) {
                    throw new StartException("cannot serve the dashboard on " + config.dashboard().host() + ":"
                            + config.dashboard().port() + ": " + e.getMessage(), e);
                }
            }
            ReportIntake intake = new ReportIntake(new ReportExtractor(config.maxMessageSize()), store,
                    new InboundMetrics(registry), Clock.systemUTC());
            MilterServer milter;
            try {
                milter = MilterServer.start(new InetSocketAddress(config.host(), config.port()),
                        new ReportMilter(intake, config.addresses(), config.maxMessageSize()));
            } catch (MilterServer.MilterStartException e) {
                throw new StartException(e.getMessage(), e);
            }
            started.push(milter);
            return new MilterService(started, milter, metrics, dashboard);
        } catch (InboundStoreException e) {
            closeAll(started);
            throw new StartException(e.getMessage(), e);
        } catch (StartException | RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    public InetSocketAddress milterAddress() {
        return milter.address();
    }

    public Optional<InetSocketAddress> metricsAddress() {
        return metrics.map(MetricsEndpoint::address);
    }

    public Optional<InetSocketAddress> dashboardAddress() {
        return dashboard.map(DashboardServer::address);
    }

    /** Stops the milter first, so no message arrives at a closed store. */
    @Override
    public void close() {
        closeAll(started);
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                // shutting down: the remaining parts must still be closed
            }
        }
    }

    /** A part of the service could not start; the message names it and the address or file. */
    public static final class StartException extends Exception {
        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
