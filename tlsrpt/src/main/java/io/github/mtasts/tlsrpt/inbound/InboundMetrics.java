package io.github.mtasts.tlsrpt.inbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Prometheus counters for received reports: {@code mtasts_inbound_reports_received_total} counts every report
 * found in a message or file, {@code mtasts_inbound_reports_total{outcome}} what became of it (stored,
 * duplicate, rejected), and {@code mtasts_inbound_reports_over_limit_total{limit}} which of the {@link ReportLimits}
 * the rejected reports broke ({@code report_bytes}, {@code policies}, {@code failure_details}, {@code policy_lines},
 * {@code string_length}).
 */
public final class InboundMetrics {

    private final Counter received;
    private final Counter stored;
    private final Counter duplicate;
    private final Counter rejected;
    private final MeterRegistry registry;

    public InboundMetrics(MeterRegistry registry) {
        this.registry = registry;
        received = Counter.builder("mtasts.inbound.reports.received")
                .description("TLSRPT reports found in received mail or imported files").register(registry);
        stored = outcome(registry, "stored");
        duplicate = outcome(registry, "duplicate");
        rejected = outcome(registry, "rejected");
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("mtasts.inbound.reports").tag("outcome", outcome)
                .description("What became of received TLSRPT reports").register(registry);
    }

    void received() {
        received.increment();
    }

    void stored() {
        stored.increment();
    }

    void duplicate() {
        duplicate.increment();
    }

    void rejected() {
        rejected.increment();
    }

    void overLimit(String limit) {
        Counter.builder("mtasts.inbound.reports.over.limit").tag("limit", limit)
                .description("Received TLSRPT reports rejected for exceeding a limit").register(registry).increment();
    }
}
