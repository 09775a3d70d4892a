package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.TlsRptReport;

/** One delivery attempt of a report to a destination ({@code ReportSender::send} in production). */
@FunctionalInterface
public interface Deliverer {
    /**
     * Never throws for delivery problems; they are results. Passes {@code commitPoint} right before the step after
     * which the destination can accept, and stops before that step when it says no.
     */
    DeliveryResult send(TlsRptReport report, Destination destination, CommitPoint commitPoint);
}
