package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.MilterConfig;
import io.github.mtasts.resolver.daemon.MetricsEndpoint;
import io.github.mtasts.tlsrpt.inbound.DashboardServer;
import io.github.mtasts.tlsrpt.inbound.InboundMetrics;
import io.github.mtasts.tlsrpt.inbound.InboundStoreException;
import io.github.mtasts.tlsrpt.inbound.InboundStores;
import io.github.mtasts.tlsrpt.inbound.MilterServer;
import io.github.mtasts.tlsrpt.inbound.ReportExtractor;
import io.github.mtasts.tlsrpt.inbound.ReportIntake;
import io.github.mtasts.tlsrpt.inbound.ReportMilter;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mtasts milter}: the milter for the receiving Postfix ({@code smtpd_milters = inet:127.0.0.1:8891})
 * that stores the TLSRPT reports other organisations send us. Runs until stopped (SIGTERM).
 */
@Command(name = "milter", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Collect the TLSRPT reports others send us, as a milter for the receiving Postfix.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped normally", "2:bad configuration, store or listen address"})
public final class MilterCommand implements Callable<Integer> {

    static final int STARTUP_ERROR = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = ConfigLocation.HELP)
    Path config;

    @Option(names = {"-v", "--verbosity"}, paramLabel = "LEVEL", converter = Verbosity.Converter.class,
            defaultValue = "info",
            description = "Logging verbosity: debug, info, warn, error, fatal or crit (default: ${DEFAULT-VALUE}).")
    Verbosity verbosity;

    @Option(names = {"-l", "--logfile"}, paramLabel = "FILE",
            description = "Append the log to FILE instead of standard error.")
    Path logFile;

    private final List<Path> defaultConfigs;

    public MilterCommand() {
        this(ConfigLocation.DEFAULTS);
    }

    MilterCommand(List<Path> defaultConfigs) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
    }

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure(verbosity, Optional.ofNullable(logFile));
        Logger log = LoggerFactory.getLogger(MilterCommand.class);
        DaemonConfig daemonConfig;
        try {
            daemonConfig = ConfigFiles.load(ConfigLocation.resolve(config, defaultConfigs));
        } catch (ConfigException e) {
            return fail(log, e.getMessage());
        }
        MilterConfig milter = daemonConfig.milter();
        Path database = InboundStores.sqliteFile(daemonConfig);
        SqliteInboundReportStore store;
        try {
            store = SqliteInboundReportStore.open(database);
        } catch (InboundStoreException e) {
            return fail(log, e.getMessage());
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Optional<MetricsEndpoint> metrics = Optional.empty();
        if (milter.metrics().enabled()) {
            MetricsEndpoint endpoint = new MetricsEndpoint(milter.metrics().host(), milter.metrics().port(), registry);
            try {
                endpoint.start();
            } catch (IOException e) {
                store.close();
                return fail(log, "cannot serve milter metrics on " + milter.metrics().host() + ":"
                        + milter.metrics().port() + ": " + e.getMessage());
            }
            metrics = Optional.of(endpoint);
        }
        ReportIntake intake = new ReportIntake(new ReportExtractor(milter.maxMessageSize()), store,
                new InboundMetrics(registry), Clock.systemUTC());
        Optional<DashboardServer> dashboard = Optional.empty();
        if (milter.dashboard().enabled()) {
            try {
                dashboard = Optional.of(DashboardServer.start(new InetSocketAddress(milter.dashboard().host(),
                        milter.dashboard().port()), store, milter.dashboard().token()));
            } catch (IOException e) {
                metrics.ifPresent(MetricsEndpoint::close);
                store.close();
                return fail(log, "cannot serve the dashboard on " + milter.dashboard().host() + ":"
                        + milter.dashboard().port() + ": " + e.getMessage());
            }
        }
        MilterServer server;
        try {
            server = MilterServer.start(new InetSocketAddress(milter.host(), milter.port()),
                    new ReportMilter(intake, milter.addresses(), milter.maxMessageSize()));
        } catch (MilterServer.MilterStartException e) {
            metrics.ifPresent(MetricsEndpoint::close);
            dashboard.ifPresent(DashboardServer::close);
            store.close();
            return fail(log, e.getMessage());
        }
        log.info("milter listening on {}:{}, storing reports in {}", milter.host(), milter.port(), database);
        CountDownLatch stopped = new CountDownLatch(1);
        Optional<MetricsEndpoint> listener = metrics;
        Optional<DashboardServer> page = dashboard;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            listener.ifPresent(MetricsEndpoint::close);
            page.ifPresent(DashboardServer::close);
            store.close();
            log.info("milter stopped");
            stopped.countDown();
        }, "milter-shutdown"));
        stopped.await();
        return 0;
    }

    private int fail(Logger log, String message) {
        // to stderr as well as the log: a start-up failure must be visible whatever -l says
        spec.commandLine().getErr().println("mtasts milter: " + message);
        log.error("{}", message);
        return STARTUP_ERROR;
    }
}
