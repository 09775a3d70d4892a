package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.schedule.TlsRptService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mtasts tlsrpt queue}: the report deliveries of the kept days: per state totals, then one line per
 * (day, policy domain, destination) with its attempts, next attempt or delivery time, and last error. With
 * {@code --resend} or {@code --mark-delivered} it settles an uncertain delivery instead: one whose process died
 * after handing the report over, which only the destination's log (the Message-ID) can tell. Exit 0 when shown or
 * settled, 1 when the delivery is not uncertain (or a store fails), 2 for bad options or configuration.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = {"Show the report delivery queue: delivered, pending, uncertain and failed deliveries.",
                "An uncertain delivery (the process died after handing the report over) is never resent by itself:"
                        + " look its Message-ID up in the relay's log, then settle it with --report-id and"
                        + " --resend or --mark-delivered."})
public final class TlsrptQueueCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--report-id", paramLabel = "ID", description = "The report-id of the delivery to settle.")
    String reportId;

    @Option(names = "--resend", paramLabel = "DESTINATION",
            description = "Send the uncertain delivery of --report-id to DESTINATION (as listed: mailto:... or"
                    + " https://...) again: the destination's log shows it never got the report.")
    String resend;

    @Option(names = "--mark-delivered", paramLabel = "DESTINATION",
            description = "Record the uncertain delivery of --report-id to DESTINATION as delivered: the"
                    + " destination's log shows it got the report.")
    String markDelivered;

    private final List<Path> defaultConfigs;
    private final Clock clock;

    public TlsrptQueueCommand() {
        this(ConfigLocation.DEFAULTS, Clock.systemUTC());
    }

    TlsrptQueueCommand(List<Path> defaultConfigs, Clock clock) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
        this.clock = clock;
    }

    @Override
    public Integer call() {
        Logging.configure(Verbosity.WARN, Optional.empty());
        PrintWriter out = spec.commandLine().getOut();
        try (TlsrptReporting reporting = TlsrptReporting.open(config.explicit(), defaultConfigs, clock)) {
            if (resend != null || markDelivered != null || reportId != null) {
                return settle(reporting.queue, out);
            }
            LocalDate since = TlsRptService.firstKeptDay(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC),
                    reporting.settings.retentionDays());
            List<QueuedDelivery> rows = reporting.queue.deliveries(since);
            Instant now = clock.instant();
            Map<QueuedDelivery.State, Integer> totals = new EnumMap<>(QueuedDelivery.State.class);
            long attempts = 0;
            int uncertain = 0;
            for (QueuedDelivery row : rows) {
                totals.merge(row.state(), 1, Integer::sum);
                attempts += row.attempts();
                uncertain += row.uncertain(now) ? 1 : 0;
            }
            out.println("deliveries since " + since + ": " + totals.getOrDefault(QueuedDelivery.State.DELIVERED, 0)
                    + " delivered, " + totals.getOrDefault(QueuedDelivery.State.PENDING, 0) + " pending, "
                    + totals.getOrDefault(QueuedDelivery.State.FAILED, 0) + " failed, " + attempts + " attempts; "
                    + (totals.getOrDefault(QueuedDelivery.State.SENDING, 0) - uncertain) + " sending, "
                    + uncertain + " uncertain");
            for (QueuedDelivery row : rows) {
                out.println(row.day() + " " + row.policyDomain() + " -> " + row.destinationKey() + ": "
                        + describe(row, now));
            }
            return 0;
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt queue: " + e.getMessage());
            return TlsrptIngestCommand.USAGE_ERROR;
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt queue: " + e.getMessage());
            return 1;
        }
    }

    private int settle(DeliveryQueue queue, PrintWriter out) throws ConfigException {
        if (reportId == null || (resend == null) == (markDelivered == null)) {
            throw new ConfigException("--report-id ID with exactly one of --resend DESTINATION and"
                    + " --mark-delivered DESTINATION settles an uncertain delivery");
        }
        String destination = resend != null ? resend : markDelivered;
        DeliveryQueue.Resolution resolution = resend != null
                ? DeliveryQueue.Resolution.RESEND : DeliveryQueue.Resolution.DELIVERED;
        if (!queue.resolveUncertain(reportId, destination, resolution, clock.instant())) {
            spec.commandLine().getErr().println("mtasts tlsrpt queue: the delivery of " + reportId + " to "
                    + destination + " is not uncertain (no such delivery, already settled, or its attempt's claim"
                    + " still runs); nothing changed");
            return 1;
        }
        out.println(reportId + " -> " + destination + ": " + (resend != null
                ? "pending again, sent on the next delivery run" : "recorded as delivered"));
        return 0;
    }

    /** One delivery's state in words; an uncertain one says how to settle it. */
    static String describe(QueuedDelivery row, Instant now) {
        String attempts = row.attempts() + (row.attempts() == 1 ? " attempt" : " attempts");
        if (row.uncertain(now)) {
            return "UNCERTAIN after " + attempts + ": the process died after handing the report over ("
                    + row.sendingDetail() + "); not resent by itself. Check the destination's log, then run"
                    + " mtasts tlsrpt queue --report-id " + row.reportId() + " --resend " + row.destinationKey()
                    + " (or --mark-delivered " + row.destinationKey() + ")";
        }
        return switch (row.state()) {
            case DELIVERED -> "delivered at " + row.deliveredAt() + " after " + attempts;
            case PENDING -> "pending, " + attempts + ", next at " + row.nextAttempt()
                    + (row.lastError() == null ? "" : ", last error: " + row.lastError());
            case SENDING -> "sending (" + row.sendingDetail() + "), " + attempts + ", claimed until "
                    + row.nextAttempt();
            case FAILED -> "failed after " + attempts + ": " + row.lastError();
        };
    }
}
