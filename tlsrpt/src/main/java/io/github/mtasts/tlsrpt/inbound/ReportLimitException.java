package io.github.mtasts.tlsrpt.inbound;

import java.util.Objects;

/** A received report over one of the {@link ReportLimits}; {@link #limit} names which, for the metrics. */
public final class ReportLimitException extends InvalidReportException {

    /** Which limit: {@code report_bytes}, {@code policies}, {@code failure_details}, {@code policy_lines}, {@code string_length}. */
    private final String limit;

    public ReportLimitException(String limit, String message) {
        super(message);
        this.limit = Objects.requireNonNull(limit, "limit");
    }

    public String limit() {
        return limit;
    }
}
