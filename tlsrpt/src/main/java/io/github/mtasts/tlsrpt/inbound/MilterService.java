package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.daemon.HttpAccess;
import io.github.mtasts.resolver.daemon.HttpEndpoint;
import io.github.mtasts.tlsrpt.config.MilterConfig;
import io.github.mtasts.tlsrpt.config.MilterConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything {@code mtasts milter} runs, started from the {@code milter:} section: the store, the optional
 * metrics listener, and the milter listener last, so Postfix only reaches a milter whose store is open. A part
 * that fails to start closes the ones before it. (The dashboard is the daemon's: {@code dashboard:}.)
 */
public final class MilterService implements AutoCloseable {

    private final Deque<AutoCloseable> started;
    private final MilterServer milter;
    private final Optional<HttpEndpoint> metrics;

    private MilterService(Deque<AutoCloseable> started, MilterServer milter, Optional<HttpEndpoint> metrics) {
        this.started = started;
        this.milter = milter;
        this.metrics = metrics;
    }

    /** {@link #start(MilterConfig, HttpAccess, Supplier)} with a metrics listener open to everyone (loopback). */
    public static MilterService start(MilterConfig config, Supplier<InboundReportStore> opening)
            throws StartException {
        return start(config, HttpAccess.OPEN, opening);
    }

    /**
     * Starts the milter service with reports stored in the store {@code opening} opens; the service closes it.
     *
     * @param metricsAccess who may read {@code /metrics}: the {@code dashboard:} credentials when set
     */
    public static MilterService start(MilterConfig config, HttpAccess metricsAccess,
                                      Supplier<InboundReportStore> opening) throws StartException {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            InboundReportStore store = opening.get();
            started.push(store);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Optional<HttpEndpoint> metrics = Optional.empty();
            if (config.metrics().enabled()) {
                HttpEndpoint endpoint;
                try {
                    endpoint = HttpEndpoint.start(config.metrics().host(), config.metrics().port(), metricsAccess,
                            Map.of("/metrics", HttpEndpoint.prometheus(registry)));
                } catch (IOException | IllegalArgumentException e) {
                    throw new StartException("cannot serve milter metrics on " + config.metrics().host() + ":"
                            + config.metrics().port() + ": " + e.getMessage(), e);
                }
                endpoint.registerMetrics(registry);
                started.push(endpoint);
                metrics = Optional.of(endpoint);
            }
            ReportIntake intake = new ReportIntake(new ReportExtractor(ReportLimits.DEFAULT), store,
                    new InboundMetrics(registry), Clock.systemUTC());
            MilterServer milter;
            try {
                milter = MilterServer.start(new InetSocketAddress(config.host(), config.port()),
                        new ReportMilter(intake, config.addresses(), config.maxMessageSize()));
            } catch (MilterServer.MilterStartException e) {
                throw new StartException(e.getMessage(), e);
            }
            started.push(milter);
            return new MilterService(started, milter, metrics);
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
        return metrics.map(HttpEndpoint::address);
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
