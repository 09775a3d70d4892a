package io.github.mtasts.tlsrpt.inbound;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one path every received report takes, from the milter or from an import: find the report JSON, parse
 * it leniently, store it once, count it.
 */
public final class ReportIntake {

    /** What became of one report. */
    public enum Result { STORED, DUPLICATE, REJECTED }

    /**
     * @param origin where the report was found
     * @param result what became of it
     * @param detail for a rejection the reason; otherwise the report's organisation and id
     * @param report the parsed report, null when rejected
     */
    public record Outcome(String origin, Result result, String detail, InboundReport report) {
        public Outcome {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(detail, "detail");
        }
    }

    private final ReportExtractor extractor;
    private final InboundReportStore store;
    private final InboundMetrics metrics;
    private final Clock clock;

    public ReportIntake(ReportExtractor extractor, InboundReportStore store, InboundMetrics metrics, Clock clock) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A lone report file's bytes (JSON or gzip).
     *
     * @throws InboundStoreException when the store fails; the report is then not stored
     */
    public Outcome acceptFile(String origin, byte[] bytes) {
        metrics.received();
        try {
            return accept(extractor.fromFile(origin, bytes));
        } catch (InvalidReportException e) {
            return rejected(origin, e);
        }
    }

    /**
     * A lone report file (JSON or gzip) read from {@code in}, no further than the report size limit.
     *
     * @throws IOException           when {@code in} cannot be read; nothing is counted then
     * @throws InboundStoreException when the store fails; the report is then not stored
     */
    public Outcome acceptFile(String origin, InputStream in) throws IOException {
        ReportAttachment attachment;
        try {
            attachment = extractor.fromFile(origin, in);
        } catch (InvalidReportException e) {
            metrics.received();
            return rejected(origin, e);
        }
        metrics.received();
        return accept(attachment);
    }

    /**
     * The reports a mail message carries; an empty list when it carries none.
     *
     * @throws InboundStoreException when the store fails; reports before the failure stay stored
     */
    public List<Outcome> acceptMessage(String origin, byte[] message) {
        List<ReportAttachment> attachments;
        try {
            attachments = extractor.fromMessage(origin, message);
        } catch (InvalidReportException e) {
            metrics.received();
            return List.of(rejected(origin, e));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (ReportAttachment attachment : attachments) {
            metrics.received();
            outcomes.add(accept(attachment));
        }
        return outcomes;
    }

    private Outcome accept(ReportAttachment attachment) {
        InboundReport report;
        try {
            report = InboundReportParser.parse(attachment.json(), extractor.limits());
        } catch (InvalidReportException e) {
            return rejected(attachment.origin(), e);
        }
        String what = report.organizationName() + " report " + report.reportId();
        if (store.save(report, attachment.json(), clock.instant()) == InboundReportStore.Saved.STORED) {
            metrics.stored();
            return new Outcome(attachment.origin(), Result.STORED, what, report);
        }
        metrics.duplicate();
        return new Outcome(attachment.origin(), Result.DUPLICATE, what, report);
    }

    private Outcome rejected(String origin, InvalidReportException reason) {
        metrics.rejected();
        if (reason instanceof ReportLimitException overLimit) {
            metrics.overLimit(overLimit.limit());
        }
        return new Outcome(origin, Result.REJECTED, reason.getMessage(), null);
    }
}
