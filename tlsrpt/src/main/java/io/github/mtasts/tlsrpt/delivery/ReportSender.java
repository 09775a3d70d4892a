package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.TlsRptReport;
import java.util.Objects;

/** Sends a report to one destination by the means its kind calls for. */
public final class ReportSender {

    private final MailDelivery mail;
    private final HttpsDelivery https;

    public ReportSender(MailDelivery mail, HttpsDelivery https) {
        this.mail = Objects.requireNonNull(mail, "mail");
        this.https = Objects.requireNonNull(https, "https");
    }

    /** One delivery attempt, passing {@code commitPoint} before its final step; never throws for delivery problems. */
    public DeliveryResult send(TlsRptReport report, Destination destination, CommitPoint commitPoint) {
        if (destination instanceof Destination.MailRecipient recipient) {
            return mail.deliver(report, recipient.address(), commitPoint);
        }
        return https.deliver(report, ((Destination.HttpsEndpoint) destination).uri(), commitPoint);
    }
}
