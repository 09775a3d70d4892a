package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.MetricsConfig;
import io.github.mtasts.resolver.daemon.HttpAccess;
import io.github.mtasts.resolver.daemon.HttpEndpoint;
import io.github.mtasts.resolver.text.LogSafe;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.PolicyInForce;
import io.github.mtasts.tlsrpt.aggregate.SendingMtaIps;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.ingest.Ingest;
import io.github.mtasts.tlsrpt.ingest.JournalctlSource;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.schedule.ReporterMetrics;
import io.github.mtasts.tlsrpt.schedule.TlsRptService;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code mtasts tlsrpt run}: the long-running reporter. One thread follows {@code tlsrpt.sources} into the
 * aggregates (as {@code tlsrpt ingest --follow}), and with {@code tlsrpt.socket} set Postfix's TLSRPT datagrams are
 * counted too (as {@code tlsrpt collect}); the other builds each ended day's reports and delivers them
 * through the queue. SIGTERM stops both after the current batch and attempt. With {@code tlsrpt.metrics.enabled} it
 * serves {@code /metrics} (see ReporterMetrics). Exit 2 for configuration errors, 1 when the ingest loop dies or the
 * metrics listener cannot start.
 */
@Command(name = "run", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Ingest the Postfix logs (and, with tlsrpt.socket, Postfix's TLSRPT datagrams) continuously and"
                + " build and deliver each ended UTC day's reports.")
public final class TlsrptRunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TlsrptRunCommand.class);
    private static final int MAX_PROCESSES = 10_000;
    private static final Duration MAX_IDLE = Duration.ofHours(1);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration POLICY_RELOAD = Duration.ofMinutes(1);
    private static final Duration TICK = Duration.ofMinutes(1);

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
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ReporterMetrics metrics = new ReporterMetrics(registry);
        try (TlsrptReporting reporting = TlsrptReporting.open(config.explicit(), ConfigLocation.DEFAULTS, clock,
                metrics::counting)) {
            TlsrptConfig tlsrpt = reporting.setup.tlsrpt();
            List<Path> files = new ArrayList<>();
            List<JournalctlSource> journals = new ArrayList<>();
            for (Path source : tlsrpt.sources()) {
                if (JournalctlSource.isJournal(source.toString())) {
                    try {
                        journals.add(JournalctlSource.parse(source.toString()));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("tlsrpt.sources: " + e.getMessage());
                    }
                } else if (!Files.isRegularFile(source) || source.toString().endsWith(".gz")) {
                    throw new ConfigException("tlsrpt.sources: " + source + ": not a live log file");
                } else {
                    files.add(source);
                }
            }
            // one per reading thread: an Ingest is not thread-safe
            Supplier<Ingest> ingests = () -> new Ingest(metrics.counting(reporting.aggregates),
                    new PolicyInForce(reporting.policies::servedPolicies, reporting.policies::discoveryFailures,
                            reporting.setup.daemon().overrides(),
                            TlsrptDane.destinations(reporting.setup), new SendingMtaIps(tlsrpt.sendingMtaIps()), clock, POLICY_RELOAD),
                    new LogLineParser(tlsrpt.logTimezone(), clock),
                    () -> new SessionTracker(session -> isOwnReportMail(reporting, session.recipient()),
                            MAX_PROCESSES, MAX_IDLE),
                    tlsrpt.batchLines(), tlsrpt.batchInterval(), clock, tlsrpt.socket().isPresent());
            TlsRptService service = new TlsRptService(reporting.dispatch, reporting.queue, reporting.settings,
                    tlsrpt.hostName() + "/" + ProcessHandle.current().pid(), clock);
            try (HttpEndpoint endpoint = serveMetrics(tlsrpt.metrics(), reporting.access, registry)) {
                if (endpoint != null) {
                    metrics.watch(reporting.queue, clock);
                }
                DatagramCollection datagrams = tlsrpt.socket().isEmpty() ? null
                        : DatagramCollection.start(tlsrpt, metrics.counting(reporting.aggregates),
                                reporting.policies, metrics.datagramEvents(), clock);
                return runUntilStopped(ingests, metrics.counting(reporting.aggregates), files, journals, service,
                        datagrams);
            }
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt run: " + e.getMessage());
            return TlsrptIngestCommand.USAGE_ERROR;
        } catch (IOException | RuntimeException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt run: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The {@code /metrics} listener (also of {@code tlsrpt collect}) when {@code tlsrpt.metrics.enabled}; null otherwise.
     *
     * @param access the {@code dashboard:} credentials, which guard every HTTP listener of the suite
     */
    static HttpEndpoint serveMetrics(MetricsConfig config, HttpAccess access,
                                             PrometheusMeterRegistry registry) {
        if (!config.enabled()) {
            return null;
        }
        HttpEndpoint endpoint;
        try {
            endpoint = HttpEndpoint.start(config.host(), config.port(), access,
                    Map.of("/metrics", HttpEndpoint.prometheus(registry)));
        } catch (IOException e) {
            throw new UncheckedIOException("tlsrpt.metrics: cannot listen on " + config.host() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        endpoint.registerMetrics(registry);
        LOG.info("metrics on http://{}:{}/metrics", config.host(), endpoint.address().getPort());
        return endpoint;
    }

    /**
     * Our report mail is not counted (RFC 8460 §5.3): its recipients are configured
     * ({@code tlsrpt.report_recipients_exclude}) or known to the queue, which holds every report recipient before
     * the mail is handed to Postfix, so before Postfix logs its delivery.
     */
    private static boolean isOwnReportMail(TlsrptReporting reporting, String recipient) {
        return reporting.setup.tlsrpt().isReportRecipient(recipient)
                || (recipient != null && reporting.queue.isReportRecipient(recipient));
    }

    private static int runUntilStopped(Supplier<Ingest> ingests, AggregateStore store, List<Path> sources,
                                       List<JournalctlSource> journals, TlsRptService service,
                                       DatagramCollection datagrams) throws Exception {
        StopSignal signal = new StopSignal("tlsrpt-run-stop");
        CountDownLatch stopping = signal.stopping();
        AtomicReference<Exception> ingestFailure = new AtomicReference<>();
        List<Thread> ingestThreads = new ArrayList<>();
        Ingest fileIngest = ingests.get();
        ingestThreads.add(new Thread(() -> {
            try {
                if (!sources.isEmpty()) {
                    fileIngest.follow(sources, POLL, () -> stopping.getCount() > 0);
                }
            } catch (Exception e) {
                ingestFailure.set(e);
                LOG.error("ingest stopped: {}", LogSafe.escape(e.getMessage()), e);
                stopping.countDown();
            }
        }, "tlsrpt-ingest"));
        for (JournalctlSource journal : journals) {
            Ingest journalIngest = ingests.get();
            ingestThreads.add(new Thread(() -> {
                try {
                    JournalctlRun.run(journalIngest, store, journal, true, () -> stopping.getCount() > 0);
                    if (stopping.getCount() > 0) {
                        throw new IOException("journalctl of " + journal.units() + " ended by itself");
                    }
                } catch (Exception e) {
                    ingestFailure.set(e);
                    LOG.error("ingest of {} stopped: {}", journal.id().key(), e.getMessage(), e);
                    stopping.countDown();
                }
            }, "tlsrpt-ingest-" + journal.id().key()));
        }
        try {
            if (sources.isEmpty() && journals.isEmpty() && datagrams == null) {
                LOG.warn("tlsrpt.sources is empty and tlsrpt.socket unset: nothing is ingested, reports are built from"
                        + " what the store has");
            }
            for (Thread thread : ingestThreads) {
                thread.start();
            }
            service.run(TICK, stopping);
            for (Thread thread : ingestThreads) {
                thread.join();
            }
        } finally {
            if (datagrams != null) {
                // before the JVM may exit: the last batch of datagrams is committed here
                datagrams.close();
            }
            signal.done();
        }
        return ingestFailure.get() == null ? 0 : 1;
    }
}
