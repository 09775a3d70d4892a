package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.daemon.HttpEndpoint;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.schedule.ReporterMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mtasts tlsrpt collect}: only the datagram collector, for a host whose reports another host builds from the
 * shared store (or for running it apart from {@code tlsrpt run}, which serves {@code tlsrpt.socket} itself).
 * Receives on {@code tlsrpt.socket} until SIGTERM, then commits the last batch. Exit 2 for configuration errors
 * (no {@code tlsrpt.socket} among them), 1 when the socket cannot be served or the metrics listener cannot start.
 */
@Command(name = "collect", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Receive Postfix 3.10+'s TLSRPT datagrams (smtp_tlsrpt_socket_name) on tlsrpt.socket and count"
                + " them into the store, until stopped.")
public final class TlsrptCollectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.INFO);

    @Override
    public Integer call() throws Exception {
        logging.apply();
        Clock clock = Clock.systemUTC();
        Configuration configuration;
        TlsrptSetup setup;
        try {
            Optional<Path> file = ConfigLocation.resolve(config.explicit(), ConfigLocation.DEFAULTS);
            configuration = ConfigFiles.load(file);
            setup = TlsrptSetup.of(configuration, file);
            TlsrptStores.requireUsable(setup);
        } catch (ConfigException e) {
            return failure(e.getMessage(), TlsrptIngestCommand.USAGE_ERROR);
        }
        TlsrptConfig tlsrpt = setup.tlsrpt();
        if (tlsrpt.socket().isEmpty()) {
            return failure("tlsrpt.socket is not set: give the path Postfix's smtp_tlsrpt_socket_name names",
                    TlsrptIngestCommand.USAGE_ERROR);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ReporterMetrics metrics = new ReporterMetrics(registry);
        try (PolicyStore policies = TlsrptStores.policies(setup);
             AggregateStore store = metrics.counting(TlsrptStores.aggregates(setup));
             HttpEndpoint endpoint = TlsrptRunCommand.serveMetrics(tlsrpt.metrics(), configuration.dashboard().access(),
                     registry)) {
            StopSignal signal = new StopSignal("tlsrpt-collect-stop");
            try (DatagramCollection datagrams = DatagramCollection.start(tlsrpt, store, policies,
                    metrics.datagramEvents(), clock)) {
                signal.stopping().await();
            } finally {
                signal.done();
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            return failure(e.getMessage(), 1);
        }
    }

    private int failure(String message, int exitCode) {
        spec.commandLine().getErr().println("mtasts tlsrpt collect: " + message);
        return exitCode;
    }
}
