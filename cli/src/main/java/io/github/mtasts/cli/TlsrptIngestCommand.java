package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.PolicyInForce;
import io.github.mtasts.tlsrpt.aggregate.SendingMtaIps;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.ingest.Ingest;
import io.github.mtasts.tlsrpt.ingest.JournalctlSource;
import io.github.mtasts.tlsrpt.logs.CorruptGzipException;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.SourceId;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code mtasts tlsrpt ingest}: counts the TLS sessions in Postfix logs into the store, resuming where the last
 * run stopped. Exit 0 when done, 2 for a usage or configuration error, 1 when the store fails or a {@code .gz}
 * file is corrupt (named on standard error; the other files are still read).
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Count TLS sessions from Postfix log files (or - for standard input, with --journal-json or "
                + "--stdin-not-resumable) into the store.")
public final class TlsrptIngestCommand implements Callable<Integer> {
    static final int USAGE_ERROR = 2;
    private static final int MAX_PROCESSES = 10_000;
    private static final Duration MAX_IDLE = Duration.ofHours(1);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration POLICY_RELOAD = Duration.ofMinutes(1);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--follow", description = "Keep reading the files as they grow and rotate, until stopped.")
    boolean follow;

    @Option(names = "--journal-json", description = "Standard input (-) is `journalctl -o json` output: resumed by "
            + "the journal cursor, so entries repeated by a restarted journalctl are not counted again.")
    boolean journalJson;

    @Option(names = "--stdin-not-resumable", description = "Accept plain log text on standard input (-). It cannot be "
            + "resumed: feeding the same lines again counts them again.")
    boolean stdinNotResumable;

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.WARN);

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "Log files, journald:UNIT[,UNIT...] (read with journalctl), or - for standard input; "
                    + "default: tlsrpt.sources of the configuration.")
    List<String> files = new ArrayList<>();

    private final List<Path> defaultConfigs;
    private final InputStream stdin;
    private final Clock clock;

    public TlsrptIngestCommand() {
        this(ConfigLocation.DEFAULTS, System.in, Clock.systemUTC());
    }

    /** {@code clock} places classic syslog timestamps, which have no year, in a year. */
    TlsrptIngestCommand(List<Path> defaultConfigs, InputStream stdin, Clock clock) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
        this.stdin = stdin;
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        logging.apply();
        TlsrptSetup setup;
        try {
            setup = TlsrptSetup.load(config.explicit(), defaultConfigs);
        } catch (ConfigException e) {
            return usageError(e.getMessage());
        }
        TlsrptConfig tlsrpt = setup.tlsrpt();
        List<String> sources = files.isEmpty() ? tlsrpt.sources().stream().map(Path::toString).toList() : files;
        if (sources.isEmpty()) {
            return usageError("no log files given and tlsrpt.sources is empty");
        }
        boolean stdinGiven = sources.contains("-");
        if (journalJson && stdinNotResumable) {
            return usageError("--journal-json and --stdin-not-resumable exclude each other");
        }
        if ((journalJson || stdinNotResumable) && !stdinGiven) {
            return usageError((journalJson ? "--journal-json" : "--stdin-not-resumable")
                    + " is about standard input: give - as a source");
        }
        if (stdinGiven && !journalJson && !stdinNotResumable) {
            // plain text has no position to resume from: a rerun on overlapping input would count it twice
            return usageError("standard input (-) is not resumable: pipe `journalctl -o json` with --journal-json, "
                    + "or accept that a rerun counts its lines again with --stdin-not-resumable");
        }
        for (String source : sources) {
            if (JournalctlSource.isJournal(source)) {
                try {
                    JournalctlSource.parse(source);
                } catch (IllegalArgumentException e) {
                    return usageError(e.getMessage());
                }
                continue;
            }
            if (!source.equals("-") && !Files.isRegularFile(Path.of(source))) {
                return usageError(source + ": no such file");
            }
            if (follow && source.endsWith(".gz")) {
                return usageError(source + ": --follow reads live files; import .gz backlog without it");
            }
        }
        try {
            TlsrptStores.requireUsable(setup);
        } catch (ConfigException e) {
            return usageError(e.getMessage());
        }
        try (PolicyStore policies = TlsrptStores.policies(setup);
             AggregateStore store = TlsrptStores.aggregates(setup)) {
            // one per reading thread: an Ingest is not thread-safe
            Supplier<Ingest> ingests = () -> new Ingest(store,
                    new PolicyInForce(policies::servedPolicies, policies::discoveryFailures, setup.daemon().overrides(),
                            TlsrptDane.destinations(setup), new SendingMtaIps(tlsrpt.sendingMtaIps()), Clock.systemUTC(), POLICY_RELOAD),
                    new LogLineParser(tlsrpt.logTimezone(), clock),
                    () -> new SessionTracker(session -> tlsrpt.isReportRecipient(session.recipient()),
                            MAX_PROCESSES, MAX_IDLE),
                    tlsrpt.batchLines(), tlsrpt.batchInterval(), Clock.systemUTC(),
                    tlsrpt.socket().isPresent());
            Ingest ingest = ingests.get();
            List<Path> live = new ArrayList<>();
            List<JournalctlSource> journals = new ArrayList<>();
            List<Path> corrupt = new ArrayList<>();
            for (String source : sources) {
                if (source.equals("-") && journalJson) {
                    ingest.importJournal(SourceId.JOURNAL_STDIN, stdin);
                } else if (source.equals("-")) {
                    ingest.importStream(stdin);
                } else if (JournalctlSource.isJournal(source) && follow) {
                    journals.add(JournalctlSource.parse(source));
                } else if (JournalctlSource.isJournal(source)) {
                    JournalctlRun.run(ingest, store, JournalctlSource.parse(source), false, () -> true);
                } else if (follow) {
                    live.add(Path.of(source));
                } else {
                    try {
                        ingest.importFile(Path.of(source));
                    } catch (CorruptGzipException e) {
                        // its lines up to the break are committed; one broken backlog file must not hide the others
                        spec.commandLine().getErr().println("mtasts tlsrpt ingest: " + e.getMessage()
                                + " (counted up to the break; the other files are read)");
                        corrupt.add(e.path());
                    }
                }
            }
            if (!live.isEmpty() || !journals.isEmpty()) {
                followUntilStopped(ingest, live, journals, ingests, store);
            }
            if (!corrupt.isEmpty()) {
                spec.commandLine().getErr().println("mtasts tlsrpt ingest: " + corrupt.size()
                        + " file(s) could not be read to their end: " + corrupt);
                return 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spec.commandLine().getErr().println("mtasts tlsrpt ingest: interrupted");
            return 1;
        } catch (IOException | RuntimeException e) {
            // what was committed stays committed; a rerun resumes there
            spec.commandLine().getErr().println("mtasts tlsrpt ingest: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    /**
     * Follows until SIGTERM/SIGINT, then commits what was read before the JVM exits: the files on this thread, each
     * journal on its own (journalctl's output blocks), with its own Ingest.
     */
    private static void followUntilStopped(Ingest ingest, List<Path> live, List<JournalctlSource> journals,
                                           Supplier<Ingest> ingests, AggregateStore store)
            throws IOException, InterruptedException {
        StopSignal signal = new StopSignal("tlsrpt-ingest-stop");
        CountDownLatch stopping = signal.stopping();
        List<Thread> readers = new ArrayList<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try {
            for (JournalctlSource journal : journals) {
                Ingest own = ingests.get();
                Thread reader = new Thread(() -> {
                    try {
                        JournalctlRun.run(own, store, journal, true, () -> stopping.getCount() > 0);
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        // a journal that ends or fails stops the command, as a failing file does
                        stopping.countDown();
                    }
                }, "tlsrpt-ingest-" + journal.id().key());
                reader.start();
                readers.add(reader);
            }
            if (!live.isEmpty()) {
                ingest.follow(live, POLL, () -> stopping.getCount() > 0);
            } else {
                stopping.await();
            }
        } finally {
            stopping.countDown();
            for (Thread reader : readers) {
                reader.join();
            }
            signal.done();
        }
        Exception failed = failure.get();
        if (failed instanceof IOException e) {
            throw e;
        } else if (failed instanceof InterruptedException e) {
            throw e;
        } else if (failed != null) {
            throw (RuntimeException) failed;
        }
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("mtasts tlsrpt ingest: " + message);
        return USAGE_ERROR;
    }
}
