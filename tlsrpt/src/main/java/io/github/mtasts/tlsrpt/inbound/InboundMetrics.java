package io.github.mtasts.tlsrpt.inbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Prometheus counters for received reports: {@code mtasts_inbound_reports_received_total} counts every report
 * found in a message or file, {@code mtasts_inbound_reports_total{outcome}} what became of it (stored,
 * duplicate, rejected).
 */
public final class InboundMetrics {

    private final Counter received;
    private final Counter stored;
    private final Counter duplicate;
    private final Counter rejected;

    public InboundMetrics(MeterRegistry registry) {
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
}
