package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import io.github.mtasts.tlsrpt.schedule.TlsRptService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code mtasts tlsrpt send}: delivers an ended day's reports now, through the delivery queue, so a destination
 * that has the report already does not get it again, and a {@code tlsrpt run} sharing the store does not either.
 * Exit 0 when every destination has the report, 1 when some delivery is still pending, sending, uncertain or failed
 * (or a store fails), 2 for bad input or configuration. An uncertain delivery is never resent here; see
 * {@code tlsrpt queue --resend}.
 */
@Command(name = "send", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Deliver the reports of an ended UTC day now (a destination that has one is skipped).")
public final class TlsrptSendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--day", required = true, paramLabel = "YYYY-MM-DD", description = "The UTC day to deliver.")
    String day;

    @Option(names = "--dry-run", description = "Show what would be delivered; send and store nothing.")
    boolean dryRun;

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.WARN);

    private final List<Path> defaultConfigs;
    private final Clock clock;

    public TlsrptSendCommand() {
        this(ConfigLocation.DEFAULTS, Clock.systemUTC());
    }

    TlsrptSendCommand(List<Path> defaultConfigs, Clock clock) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
        this.clock = clock;
    }

    @Override
    public Integer call() {
        logging.apply();
        try (TlsrptReporting reporting = TlsrptReporting.open(config.explicit(), defaultConfigs, clock)) {
            LocalDate sendDay = TlsrptReporting.parseDay(day);
            TlsrptReporting.requireEnded(sendDay, clock);
            LocalDate firstKept = TlsRptService.firstKeptDay(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC),
                    reporting.settings.retentionDays());
            if (sendDay.isBefore(firstKept)) {
                // its queue rows may be purged: sending could repeat a delivery the queue no longer remembers
                throw new ConfigException("--day " + sendDay + ": older than tlsrpt.report.retention_days ("
                        + reporting.settings.retentionDays() + "), whose deliveries are no longer recorded");
            }
            return dryRun ? dryRun(reporting, sendDay) : send(reporting, sendDay);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt send: " + e.getMessage());
            return TlsrptIngestCommand.USAGE_ERROR;
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt send: " + e.getMessage());
            return 1;
        }
    }

    private int send(TlsrptReporting reporting, LocalDate sendDay) {
        PrintWriter out = spec.commandLine().getOut();
        reporting.dispatch.build(sendDay, reporting.settings.onlyFailures());
        int unrouted = reporting.dispatch.route(sendDay, Duration.ZERO);
        reporting.queue.expedite(sendDay, clock.instant());
        reporting.dispatch.deliverDue(Optional.of(sendDay));
        boolean complete = unrouted == 0;
        for (DeliveryQueue.StoredReport report : reporting.queue.reports(sendDay)) {
            out.println(report.policyDomain() + ": report-id " + report.reportId());
            if (!report.routed()) {
                out.println("  TLSRPT record lookup failed; try again later");
            } else if (report.note() != null) {
                out.println("  not sent: " + report.note());
            }
        }
        for (QueuedDelivery delivery : reporting.queue.deliveries(sendDay)) {
            if (!delivery.day().equals(sendDay)) {
                continue;
            }
            out.println("  " + delivery.policyDomain() + " -> " + delivery.destinationKey() + ": "
                    + TlsrptQueueCommand.describe(delivery, clock.instant()));
            complete &= delivery.state() == QueuedDelivery.State.DELIVERED;
        }
        return complete ? 0 : 1;
    }

    private int dryRun(TlsrptReporting reporting, LocalDate sendDay) {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, QueuedDelivery> queued = reporting.queue.deliveries(sendDay).stream()
                .filter(d -> d.day().equals(sendDay))
                .collect(Collectors.toMap(d -> d.reportId() + " " + d.destinationKey(), Function.identity()));
        List<TlsRptReport> reports = reporting.dispatch.reports(sendDay, reporting.settings.onlyFailures());
        if (reports.isEmpty()) {
            out.println("no reports for " + sendDay);
        }
        for (TlsRptReport report : reports) {
            out.println(report.policyDomain() + ": report-id " + report.reportId());
            var rua = reporting.dispatch.lookUp(report.policyDomain());
            if (!(rua instanceof io.github.mtasts.tlsrpt.report.RuaLookupResult.Found found)) {
                out.println("  " + TlsrptReportCommand.destinations(rua));
                continue;
            }
            for (var destination : io.github.mtasts.tlsrpt.delivery.Destination.allOf(found.record())) {
                QueuedDelivery row = queued.get(report.reportId() + " " + destination.key());
                out.println("  " + destination.key() + ": " + (row == null ? "would send"
                        : row.state() == QueuedDelivery.State.PENDING ? "would send (queued, "
                        + TlsrptQueueCommand.describe(row, clock.instant()) + ")"
                        : TlsrptQueueCommand.describe(row, clock.instant())));
            }
        }
        return 0;
    }
}
