package io.github.mtasts.tlsrpt.inbound;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLSRPT report another organisation sent us (RFC 8460 §4), as far as we could read it. Real senders
 * deviate from the RFC; each deviation we tolerated is kept in {@link #deviations} so nothing is silently
 * "fixed".
 *
 * @param organizationName the reporting organisation, the first part of the deduplication key
 * @param reportId         the sender's report id
 * @param start            start of the reporting period
 * @param end              end of the reporting period
 * @param contactInfo      the sender's contact, absent when the report has none (RFC 8460 §4.3 requires it)
 * @param policies         one entry per policy the sender applied
 * @param deviations       what was off in the report, one readable sentence each, naming the JSON key
 */
public record InboundReport(String organizationName, String reportId, Instant start, Instant end,
                            Optional<String> contactInfo, List<InboundPolicy> policies, List<String> deviations) {

    public InboundReport {
        requireText(organizationName, "organizationName");
        requireText(reportId, "reportId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(contactInfo, "contactInfo");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end " + end + " before start " + start);
        }
        policies = List.copyOf(policies);
        deviations = List.copyOf(deviations);
    }

    static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be non-empty");
        }
    }

    /** Sessions the sender counted as successful, over every policy. */
    public long successfulSessions() {
        return policies.stream().mapToLong(InboundPolicy::successfulSessions).sum();
    }

    /** Sessions the sender counted as failed, over every policy. */
    public long failedSessions() {
        return policies.stream().mapToLong(InboundPolicy::failedSessions).sum();
    }
}
