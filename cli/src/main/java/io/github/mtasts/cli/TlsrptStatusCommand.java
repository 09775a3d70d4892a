package io.github.mtasts.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.IngestStats;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code mtasts tlsrpt status}: the counts of one UTC day per policy domain and policy, the resolver's policy
 * discovery failures of that day, the line statistics of everything ingested, and the report deliveries by state
 * with every uncertain one (its process died after handing the report over) and how to settle it.
 *
 * <p>Sessions that met a discovery failure ({@code sts-policy-fetch-error}, {@code sts-policy-invalid},
 * {@code sts-webpki-invalid}, RFC 8460 §4.3.2.2) with no cached policy to fall back on are counted, like every
 * session, from the log: under an sts policy that is unavailable, as failures of that type. The resolver's own
 * failure counts are shown apart: they count failed discoveries, not sessions, and adding them to the session
 * totals would count a session twice.
 */
@Command(name = "status", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Show the session counts of a UTC day and the ingest statistics.")
public final class TlsrptStatusCommand implements Callable<Integer> {
    static final int USAGE_ERROR = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--day", paramLabel = "YYYY-MM-DD", description = "UTC day to show (default: today, UTC).")
    String day;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    private final List<Path> defaultConfigs;
    private final Clock clock;

    public TlsrptStatusCommand() {
        this(ConfigLocation.DEFAULTS, Clock.systemUTC());
    }

    TlsrptStatusCommand(List<Path> defaultConfigs, Clock clock) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        LocalDate shown;
        try {
            shown = day == null ? LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) : LocalDate.parse(day);
        } catch (DateTimeParseException e) {
            return usageError("--day: expected a date as YYYY-MM-DD, got \"" + day + "\"");
        }
        TlsrptSetup setup;
        try {
            setup = TlsrptSetup.load(config.explicit(), defaultConfigs);
        } catch (ConfigException e) {
            return usageError(e.getMessage());
        }
        if (setup.store() instanceof CacheConfig.Sqlite sqlite && !Files.isRegularFile(sqlite.filename())) {
            return usageError(sqlite.filename() + ": no database yet; run mtasts tlsrpt ingest first");
        }
        List<DomainDay> counts;
        IngestStats stats;
        List<DiscoveryFailureCount> discovery;
        Instant now = clock.instant();
        DeliveryQueue.StateCounts deliveries;
        List<QueuedDelivery> uncertain;
        try (PolicyStore policies = TlsrptStores.policies(setup);
             AggregateStore store = TlsrptStores.aggregates(setup);
             DeliveryQueue queue = TlsrptStores.queue(setup)) {
            counts = store.day(shown);
            stats = store.stats();
            discovery = policies.discoveryFailures(shown).stream()
                    .filter(f -> ResultType.ofDiscoveryFailure(f.type()) != null).toList();
            deliveries = queue.counts(now);
            uncertain = deliveries.uncertain() == 0 ? List.of()
                    : queue.deliveries(LocalDate.EPOCH).stream().filter(d -> d.uncertain(now)).toList();
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("mtasts tlsrpt status: " + e.getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Map<String, Object> doc = document(shown, counts, discovery, stats);
            doc.put("deliveries", deliveries(deliveries, uncertain));
            out.println(mapper.writeValueAsString(doc));
        } else {
            text(out, shown, counts, discovery, stats);
            text(out, deliveries, uncertain, now);
        }
        out.flush();
        return 0;
    }

    private static Map<String, Object> document(LocalDate day, List<DomainDay> counts,
                                                List<DiscoveryFailureCount> discovery, IngestStats stats) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("day", day.toString());
        List<Map<String, Object>> policies = new ArrayList<>();
        for (DomainDay c : counts) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("policy_domain", c.policyDomain());
            p.put("policy_type", c.policy().type().rfcName());
            p.put("policy_hash", c.policy().policyHash());
            p.put("policy_unavailable", c.policy().stsUnavailable());
            p.put("successful_sessions", c.successes());
            p.put("failed_sessions", c.failures());
            p.put("failures_by_type", byType(c));
            List<Map<String, Object>> details = new ArrayList<>();
            for (DomainDay.FailureCount f : c.failureDetails()) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("result_type", f.detail().resultType().rfcName());
                d.put("sending_mta_ip", f.detail().sendingMtaIp());
                d.put("receiving_mx_hostname", f.detail().receivingMxHostname());
                d.put("receiving_ip", f.detail().receivingIp());
                d.put("failure_reason_code", f.detail().failureReasonCode());
                d.put("failed_sessions", f.sessions());
                details.add(d);
            }
            p.put("failure_details", details);
            policies.add(p);
        }
        doc.put("policies", policies);
        List<Map<String, Object>> failures = new ArrayList<>();
        for (DiscoveryFailureCount f : discovery) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("policy_domain", f.domain());
            d.put("result_type", ResultType.ofDiscoveryFailure(f.type()).rfcName());
            d.put("discoveries", f.count());
            d.put("last_detail", f.lastDetail());
            failures.add(d);
        }
        doc.put("discovery_failures", failures);
        Map<String, Object> lines = new LinkedHashMap<>();
        lines.put("parsed", stats.parsedLines());
        lines.put("unparsed", stats.rejectedTotal());
        Map<String, Long> byReason = new TreeMap<>();
        stats.rejected().forEach((reason, n) -> byReason.put(reason.name().toLowerCase(), n));
        lines.put("unparsed_by_reason", byReason);
        lines.put("unparsed_samples", stats.samples().stream().map(AggregateBatch.Sample::text).toList());
        lines.put("uncounted_sessions", stats.uncountedSessions());
        doc.put("lines", lines);
        return doc;
    }

    private static Map<String, Object> deliveries(DeliveryQueue.StateCounts counts, List<QueuedDelivery> uncertain) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pending", counts.pending());
        doc.put("sending", counts.sending());
        doc.put("uncertain", counts.uncertain());
        doc.put("delivered", counts.delivered());
        doc.put("failed", counts.failed());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (QueuedDelivery d : uncertain) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("day", d.day().toString());
            row.put("policy_domain", d.policyDomain());
            row.put("report_id", d.reportId());
            row.put("destination", d.destinationKey());
            row.put("detail", d.sendingDetail());
            rows.add(row);
        }
        doc.put("uncertain_deliveries", rows);
        return doc;
    }

    private static void text(PrintWriter out, DeliveryQueue.StateCounts counts, List<QueuedDelivery> uncertain,
                             Instant now) {
        out.println("Report deliveries: " + counts.pending() + " pending, " + counts.sending() + " sending, "
                + counts.uncertain() + " uncertain, " + counts.delivered() + " delivered, " + counts.failed()
                + " failed");
        for (QueuedDelivery d : uncertain) {
            out.println("  " + d.day() + " " + d.policyDomain() + " -> " + d.destinationKey() + ": "
                    + TlsrptQueueCommand.describe(d, now));
        }
    }

    private static Map<String, Long> byType(DomainDay c) {
        Map<String, Long> byType = new TreeMap<>();
        for (DomainDay.FailureCount f : c.failureDetails()) {
            byType.merge(f.detail().resultType().rfcName(), f.sessions(), Long::sum);
        }
        return byType;
    }

    private static void text(PrintWriter out, LocalDate day, List<DomainDay> counts,
                             List<DiscoveryFailureCount> discovery, IngestStats stats) {
        out.println("TLS sessions on " + day + " (UTC)");
        if (counts.isEmpty()) {
            out.println("  none");
        }
        for (DomainDay c : counts) {
            String policy = c.policy().stsUnavailable() ? c.policy().type().rfcName() + ", policy unavailable"
                    : c.policy().policyHash().isEmpty() ? c.policy().type().rfcName()
                    : c.policy().type().rfcName() + " " + c.policy().policyHash().substring(0, 12);
            out.println("  " + c.policyDomain() + " [" + policy + "]: " + c.successes() + " successful, "
                    + c.failures() + " failed");
            byType(c).forEach((type, n) -> out.println("    " + type + ": " + n));
        }
        if (!discovery.isEmpty()) {
            out.println("Policy discovery failures (per discovery, not sessions)");
            for (DiscoveryFailureCount f : discovery) {
                out.println("  " + f.domain() + ": " + ResultType.ofDiscoveryFailure(f.type()).rfcName() + ": "
                        + f.count() + " (last: " + f.lastDetail() + ")");
            }
        }
        out.println("Lines: " + stats.parsedLines() + " parsed, " + stats.rejectedTotal() + " unparsed, "
                + stats.uncountedSessions() + " uncounted sessions");
        for (Map.Entry<RejectReason, Long> e : new TreeMap<>(stats.rejected()).entrySet()) {
            out.println("  " + e.getKey().name().toLowerCase() + ": " + e.getValue());
        }
        for (AggregateBatch.Sample sample : stats.samples()) {
            out.println("  sample " + sample.reason().name().toLowerCase() + ": " + sample.text());
        }
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("mtasts tlsrpt status: " + message);
        return USAGE_ERROR;
    }
}
