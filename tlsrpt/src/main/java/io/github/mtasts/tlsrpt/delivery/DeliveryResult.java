package io.github.mtasts.tlsrpt.delivery;

import java.util.Objects;

/** What one attempt to deliver a report to one destination achieved; the delivery queue acts on it. */
public sealed interface DeliveryResult {

    /** Human-readable detail for logs and {@code tlsrpt status}. */
    String detail();

    /** The destination accepted the report. */
    record Delivered(String detail) implements DeliveryResult {
        public Delivered {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Not delivered this time (connection, timeout, 4xx, non-2xx HTTP, configuration): try again later. */
    record RetryableFailure(String detail) implements DeliveryResult {
        public RetryableFailure {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** The destination refused the report for good (an SMTP 5xx for the recipient or the data): do not retry. */
    record PermanentFailure(String detail) implements DeliveryResult {
        public PermanentFailure {
            Objects.requireNonNull(detail, "detail");
        }
    }
}
