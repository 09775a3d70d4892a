package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.text.LogSafe;
import io.github.mtasts.tlsrpt.inbound.InboundMetrics;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import io.github.mtasts.tlsrpt.inbound.InboundStoreException;
import io.github.mtasts.tlsrpt.inbound.InboundStores;
import io.github.mtasts.tlsrpt.inbound.ReportExtractor;
import io.github.mtasts.tlsrpt.inbound.ReportImporter;
import io.github.mtasts.tlsrpt.inbound.ReportIntake;
import io.github.mtasts.tlsrpt.inbound.ReportLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mtasts tlsrpt import PATH...}: loads the history of reports others sent us into the same store the
 * milter fills. Files are streamed, so memory is bounded by one message whatever the size of an mbox; reports
 * are held to {@link ReportLimits#DEFAULT} as the milter holds them, and a message larger than
 * {@code milter.max_message_size} is skipped as the milter would pass it unread. Exit 0 when every report was
 * stored or was there already, 1 when some were rejected, some message skipped or some path could not be read,
 * 2 on a configuration or store error.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import received TLSRPT reports from .json, .json.gz, .eml, mbox files and Maildir folders.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all reports stored or already there",
                "1:some reports rejected, messages skipped or paths unreadable",
                "2:configuration or store error"})
public final class TlsrptImportCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int SOME_REJECTED = 1;
    static final int ERROR = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "report files, messages, mbox files or Maildirs")
    List<Path> paths;

    private final List<Path> defaultConfigs;

    public TlsrptImportCommand() {
        this(ConfigLocation.DEFAULTS);
    }

    TlsrptImportCommand(List<Path> defaultConfigs) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CacheConfig location;
        long maxMessageBytes;
        try {
            Configuration configuration = ConfigFiles.load(config.resolve(defaultConfigs));
            maxMessageBytes = configuration.milter().maxMessageSize();
            location = InboundStores.location(configuration.daemon(), configuration.tlsrpt().store());
        } catch (ConfigException e) {
            err.println("mtasts tlsrpt import: " + e.getMessage());
            return ERROR;
        }
        try (InboundReportStore store = InboundStores.open(location)) {
            ReportImporter importer = new ReportImporter(new ReportIntake(new ReportExtractor(ReportLimits.DEFAULT),
                    store, new InboundMetrics(new SimpleMeterRegistry()), Clock.systemUTC()), maxMessageBytes);
            // file and attachment names and report text come from outside: escaped before they reach a terminal
            ReportImporter.Result result = importer.importPaths(paths, outcome -> {
                if (outcome.result() == ReportIntake.Result.REJECTED) {
                    err.println("rejected " + LogSafe.escape(outcome.origin()) + ": " + LogSafe.escape(outcome.detail()));
                }
            });
            for (String skipped : result.skipped()) {
                err.println("skipped " + LogSafe.escape(skipped));
            }
            for (String unreadable : result.unreadable()) {
                err.println("unreadable " + LogSafe.escape(unreadable));
            }
            out.println("imported: " + result.count(ReportIntake.Result.STORED));
            out.println("duplicates: " + result.count(ReportIntake.Result.DUPLICATE));
            out.println("rejected: " + result.count(ReportIntake.Result.REJECTED));
            out.println("messages without a report: " + result.messagesWithoutReport());
            out.println("messages skipped: " + result.skipped().size());
            out.println("unreadable paths: " + result.unreadable().size());
            out.println("store: " + InboundStores.describe(location));
            return result.rejected() == 0 && result.skipped().isEmpty() && result.unreadable().isEmpty() ? OK
                    : SOME_REJECTED;
        } catch (InboundStoreException e) {
            err.println("mtasts tlsrpt import: " + e.getMessage());
            return ERROR;
        }
    }
}
