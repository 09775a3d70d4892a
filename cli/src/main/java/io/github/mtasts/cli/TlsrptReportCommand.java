package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.delivery.Destination;
import io.github.mtasts.tlsrpt.report.RuaLookupResult;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mtasts tlsrpt report}: writes a day's reports as files and shows where they would go; sends nothing and
 * leaves the delivery queue alone. Exit 0 when written, 2 for bad input or configuration, 1 when a store fails.
 */
@Command(name = "report", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Write the RFC 8460 reports of a UTC day (.json and .json.gz) and print their destinations.")
public final class TlsrptReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--day", required = true, paramLabel = "YYYY-MM-DD", description = "The UTC day to report.")
    String day;

    @Option(names = "--domain", paramLabel = "DOMAIN", description = "Only this policy domain's report.")
    String domain;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory the files are written to.")
    Path out;

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.WARN);

    private final List<Path> defaultConfigs;
    private final Clock clock;

    public TlsrptReportCommand() {
        this(ConfigLocation.DEFAULTS, Clock.systemUTC());
    }

    TlsrptReportCommand(List<Path> defaultConfigs, Clock clock) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
        this.clock = clock;
    }

    @Override
    public Integer call() {
        logging.apply();
        PrintWriter stdout = spec.commandLine().getOut();
        LocalDate reportDay;
        try {
            reportDay = TlsrptReporting.parseDay(day);
            Files.createDirectories(out);
            if (!Files.isWritable(out)) {
                throw new IOException("not writable");
            }
        } catch (ConfigException e) {
            return usageError(e.getMessage());
        } catch (IOException e) {
            return usageError("--out " + out + ": cannot write there: " + e.getMessage());
        }
        try (TlsrptReporting reporting = TlsrptReporting.open(config.explicit(), defaultConfigs, clock)) {
            List<TlsRptReport> reports = reporting.dispatch.reports(reportDay, false);
            if (domain != null) {
                String wanted = domain.toLowerCase(Locale.ROOT);
                reports = reports.stream().filter(r -> r.policyDomain().equals(wanted)).toList();
                if (reports.isEmpty()) {
                    return usageError("--domain " + domain + ": no sessions counted for it on " + reportDay);
                }
            }
            if (reports.isEmpty()) {
                stdout.println("no sessions counted on " + reportDay + ": no reports");
            }
            for (TlsRptReport report : reports) {
                Path json = Files.writeString(out.resolve(report.jsonFileName()), report.json());
                Path gz = Files.write(out.resolve(report.fileName()), report.gzip());
                stdout.println(report.policyDomain() + ": report-id " + report.reportId());
                stdout.println("  wrote " + json);
                stdout.println("  wrote " + gz);
                stdout.println("  " + destinations(reporting.dispatch.lookUp(report.policyDomain())));
            }
            return 0;
        } catch (ConfigException e) {
            return usageError(e.getMessage());
        } catch (IOException e) {
            return usageError("--out " + out + ": cannot write there: " + e.getMessage());
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt report: " + e.getMessage());
            return 1;
        }
    }

    static String destinations(RuaLookupResult rua) {
        if (rua instanceof RuaLookupResult.Found found) {
            return "destinations: " + String.join(" ", Destination.allOf(found.record()).stream()
                    .map(Destination::key).toList());
        }
        if (rua instanceof RuaLookupResult.NotReporting not) {
            return "no destinations, no report is sent: " + not.reason();
        }
        return "destinations unknown, TLSRPT record lookup failed: " + ((RuaLookupResult.LookupFailed) rua).detail();
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("mtasts tlsrpt report: " + message);
        return TlsrptIngestCommand.USAGE_ERROR;
    }
}
