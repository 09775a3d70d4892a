package io.github.mtasts.tlsrpt.schedule;

import io.github.mtasts.tlsrpt.delivery.CommitPoint;
import io.github.mtasts.tlsrpt.delivery.DeliveryResult;
import io.github.mtasts.tlsrpt.delivery.Destination;
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
