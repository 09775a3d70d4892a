package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.TlsRptReport;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.URLName;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Delivers a report to a {@code mailto:} destination through an SMTP relay (RFC 8460 §5.3): a
 * {@code multipart/report; report-type=tlsrpt} message with a short text part and the gzipped report, DKIM-signed
 * when configured.
 */
public final class MailDelivery {

    static final String REPORT_MEDIA_TYPE = "application/tlsrpt+gzip";

    private final MailSettings settings;
    private final DkimSigning dkim;
    private final Session session;
    private final Clock clock;

    /**
     * @throws IllegalArgumentException when the DKIM key cannot be used (named in the message)
     */
    public MailDelivery(MailSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dkim = settings.dkim() == null ? null : new DkimSigning(settings.dkim());
        this.session = Session.getInstance(properties(settings));
    }

    private static Properties properties(MailSettings settings) {
        Properties props = new Properties();
        String timeout = Long.toString(settings.timeout().toMillis());
        props.setProperty("mail.smtp.host", settings.relayHost());
        props.setProperty("mail.smtp.port", Integer.toString(settings.relayPort()));
        props.setProperty("mail.smtp.connectiontimeout", timeout);
        props.setProperty("mail.smtp.timeout", timeout);
        props.setProperty("mail.smtp.writetimeout", timeout);
        props.setProperty("mail.smtp.from", settings.fromAddress().getAddress()); // MAIL FROM takes the bare address
        props.setProperty("mail.smtp.auth", Boolean.toString(settings.username() != null));
        if (settings.heloName() != null) {
            props.setProperty("mail.smtp.localhost", settings.heloName());
        }
        switch (settings.startTls()) {
            case OFF -> props.setProperty("mail.smtp.starttls.enable", "false");
            case OPPORTUNISTIC -> {
                props.setProperty("mail.smtp.starttls.enable", "true");
                props.setProperty("mail.smtp.ssl.trust", "*");
            }
            case REQUIRED -> {
                props.setProperty("mail.smtp.starttls.enable", "true");
                props.setProperty("mail.smtp.starttls.required", "true");
                props.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            }
        }
        return props;
    }

    /**
     * One attempt to deliver {@code report} to {@code recipient}, passing {@code commitPoint} right before the final
     * dot of DATA; never throws for delivery problems.
     */
    public DeliveryResult deliver(TlsRptReport report, String recipient, CommitPoint commitPoint) {
        InternetAddress to;
        try {
            to = new InternetAddress(recipient, true);
        } catch (AddressException e) {
            return new DeliveryResult.PermanentFailure("recipient \"" + recipient + "\" is invalid: " + e.getMessage());
        }
        String relay = settings.relayHost() + ":" + settings.relayPort();
        try {
            MimeMessage message = compose(report, to);
            String detail = "Message-ID " + message.getMessageID() + " via relay " + relay;
            try (Transport transport = new CommitPointTransport(session, commitPoint, detail)) {
                transport.connect(settings.relayHost(), settings.relayPort(), settings.username(), settings.password());
                transport.sendMessage(message, new Address[] {to});
            }
            return new DeliveryResult.Delivered("accepted by " + relay + " for " + recipient);
        } catch (MessagingException e) {
            return classify(relay, recipient, e);
        }
    }

    private MimeMessage compose(TlsRptReport report, InternetAddress to) throws MessagingException {
        MimeMessage message = new ReportMessage(session, messageId(report, to));
        message.setFrom(settings.fromAddress());
        message.setRecipient(Message.RecipientType.TO, to);
        // RFC 8460 §5.3 tlsrpt-subject; the report-id is already an id-left "@" id-right
        message.setSubject("Report Domain: " + report.policyDomain() + " Submitter: " + report.submitterDomain()
                + " Report-ID: <" + report.reportId() + ">", "us-ascii");
        message.setSentDate(new Date(clock.millis()));
        message.setHeader("TLS-Report-Domain", report.policyDomain());
        message.setHeader("TLS-Report-Submitter", report.submitterDomain());
        // RFC 8460 §3: deliver despite TLS failures; RFC 8689 §4 lets the relay ignore the recipient's TLS policy
        message.setHeader("TLS-Required", "No");
        message.setHeader("Auto-Submitted", "auto-generated"); // RFC 3834 §5: no auto-replies to reports
        message.setContent(body(report));
        message.saveChanges();
        return dkim == null ? message : dkim.sign(message);
    }

    private static Multipart body(TlsRptReport report) throws MessagingException {
        MimeBodyPart text = new MimeBodyPart();
        text.setText("This is an aggregate TLS report (RFC 8460) from " + report.submitterDomain()
                + " about mail to " + report.policyDomain() + " on " + report.day() + " (UTC).\r\n"
                + "The report is attached as " + report.fileName() + ".\r\n", "us-ascii");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(report.gzip(), REPORT_MEDIA_TYPE)));
        // Set literally: Jakarta Mail would split a long name into RFC 2231 name*0/name*1 parameters, which not
        // every report parser reassembles. The name is ASCII without quotes, so a quoted string always fits.
        String name = report.fileName();
        attachment.setHeader("Content-Type", MimeUtility.fold(14, REPORT_MEDIA_TYPE + "; name=\"" + name + "\""));
        attachment.setHeader("Content-Disposition", MimeUtility.fold(21, "attachment; filename=\"" + name + "\""));
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        MimeMultipart multipart = new ReportMultipart();
        multipart.addBodyPart(text);
        multipart.addBodyPart(attachment);
        return multipart;
    }

    /**
     * A Message-ID derived from the report-id and the recipient: a retry after a lost acknowledgement carries the
     * same id, so a receiver that drops duplicate Message-IDs keeps one copy.
     */
    private static String messageId(TlsRptReport report, InternetAddress to) {
        String idLeft = report.reportId().substring(0, report.reportId().lastIndexOf('@'));
        byte[] recipient = to.getAddress().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(recipient), 0, 6);
            return "<" + idLeft + "." + hash + ".tlsrpt@" + report.submitterDomain() + ">";
        } catch (NoSuchAlgorithmException e) {
            // every Java platform is required to implement SHA-256 (MessageDigest javadoc)
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static DeliveryResult classify(String relay, String recipient, MessagingException e) {
        for (Exception cause = e; cause != null; cause = next(cause)) {
            if (cause instanceof SMTPAddressFailedException rcpt) {
                return byCode(rcpt.getReturnCode(), relay + " refused recipient " + recipient + ": "
                        + rcpt.getMessage().strip());
            }
            if (cause instanceof SMTPSenderFailedException sender) {
                // a refused envelope sender is our configuration, not the destination's answer
                return new DeliveryResult.RetryableFailure(relay + " refused sender: " + sender.getMessage().strip());
            }
            if (cause instanceof SMTPSendFailedException send) {
                return byCode(send.getReturnCode(), relay + " refused the message: " + send.getMessage().strip());
            }
            if (cause instanceof AuthenticationFailedException auth) {
                return new DeliveryResult.RetryableFailure(relay + " authentication failed: " + auth.getMessage());
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String why = root == e ? e.getMessage() : e.getMessage() + " (" + root + ")";
        return new DeliveryResult.RetryableFailure("sending via " + relay + " failed: " + why);
    }

    private static Exception next(Exception e) {
        if (e instanceof MessagingException m && m.getNextException() != null) {
            return m.getNextException();
        }
        return e.getCause() instanceof Exception cause ? cause : null;
    }

    /** SMTP reply codes: 5yz is a permanent negative completion, anything else may succeed later (RFC 5321 §4.2.1). */
    private static DeliveryResult byCode(int code, String detail) {
        return code >= 500 && code < 600
                ? new DeliveryResult.PermanentFailure(detail)
                : new DeliveryResult.RetryableFailure(detail);
    }

    /**
     * SMTP with the commit point before the terminating dot: until the relay has read that line it has accepted
     * nothing, so an attempt stopped there (an IOException makes Angus Mail drop the connection without sending
     * the dot) cannot have delivered.
     */
    private static final class CommitPointTransport extends SMTPTransport {
        private final CommitPoint commitPoint;
        private final String detail;

        CommitPointTransport(Session session, CommitPoint commitPoint, String detail) {
            super(session, new URLName("smtp", null, -1, null, null, null));
            this.commitPoint = Objects.requireNonNull(commitPoint, "commitPoint");
            this.detail = detail;
        }

        @Override
        protected void finishData() throws IOException, MessagingException {
            boolean goOn;
            try {
                goOn = commitPoint.reached(detail);
            } catch (RuntimeException e) {
                throw new IOException("stopped before the end of DATA: recording the attempt failed: "
                        + e.getMessage(), e);
            }
            if (!goOn) {
                throw new IOException("stopped before the end of DATA: the delivery queue no longer holds this"
                        + " attempt's claim");
            }
            super.finishData();
        }
    }

    /** Keeps the derived Message-ID instead of the random one Jakarta Mail assigns on save. */
    private static final class ReportMessage extends MimeMessage {
        private final String messageId;

        ReportMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }

    /** {@code multipart/report} with the {@code report-type=tlsrpt} parameter RFC 8460 §5.3 requires. */
    private static final class ReportMultipart extends MimeMultipart {
        ReportMultipart() throws MessagingException {
            super("report");
            ContentType type = new ContentType(contentType);
            type.setParameter("report-type", "tlsrpt");
            contentType = type.toString();
        }
    }
}
