package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.schedule.QueuedDelivery;
import io.github.mtasts.tlsrpt.schedule.TlsRptService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mtasts tlsrpt queue}: the report deliveries of the kept days: per state totals, then one line per
 * (day, policy domain, destination) with its attempts, next attempt or delivery time, and last error.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Show the report delivery queue: delivered, pending and failed deliveries with their attempts.")
public final class TlsrptQueueCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = ConfigLocation.HELP)
    Path config;

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
        try (TlsrptReporting reporting = TlsrptReporting.open(config, defaultConfigs, clock)) {
            LocalDate since = TlsRptService.firstKeptDay(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC),
                    reporting.settings.retentionDays());
            List<QueuedDelivery> rows = reporting.queue.deliveries(since);
            Map<QueuedDelivery.State, Integer> totals = new EnumMap<>(QueuedDelivery.State.class);
            long attempts = 0;
            for (QueuedDelivery row : rows) {
                totals.merge(row.state(), 1, Integer::sum);
                attempts += row.attempts();
            }
            out.println("deliveries since " + since + ": " + totals.getOrDefault(QueuedDelivery.State.DELIVERED, 0)
                    + " delivered, " + totals.getOrDefault(QueuedDelivery.State.PENDING, 0) + " pending, "
                    + totals.getOrDefault(QueuedDelivery.State.FAILED, 0) + " failed, " + attempts + " attempts");
            for (QueuedDelivery row : rows) {
                out.println(row.day() + " " + row.policyDomain() + " -> " + row.destinationKey() + ": "
                        + describe(row));
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

    static String describe(QueuedDelivery row) {
        String attempts = row.attempts() + (row.attempts() == 1 ? " attempt" : " attempts");
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
