package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.tlsrpt.delivery.MailSettings;
import io.github.mtasts.tlsrpt.delivery.RetryPolicy;
import io.github.mtasts.tlsrpt.report.ReporterSettings;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code tlsrpt.report:} section: who reports, how reports leave, and when.
 *
 * @param reporter       organization name, contact info, submitter domain
 * @param mail           relay, From, DKIM
 * @param httpsTimeout   connect and request timeout of HTTPS deliveries
 * @param deliveryWindow deliveries of a day start at random times within this window after the day is built, so
 *                       that receivers are not hit by every reporter at 00:00 UTC
 * @param retry          backoff, attempts and age limits of a failing delivery
 * @param retentionDays  days reports and deliveries are kept; also how far back an ended day is still built
 * @param lateLinesDelay wait after a UTC day ends before building it, for log lines written late
 * @param onlyFailures   send reports only for domains whose day had failed sessions
 */
public record ReportSettings(ReporterSettings reporter, MailSettings mail, Duration httpsTimeout,
                             Duration deliveryWindow, RetryPolicy retry, int retentionDays, Duration lateLinesDelay,
                             boolean onlyFailures) {

    public static final Duration DEFAULT_HTTPS_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_DELIVERY_WINDOW = Duration.ofHours(4);
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(2);
    public static final Duration FIRST_RETRY_DELAY = Duration.ofMinutes(5);
    public static final Duration MAX_RETRY_DELAY = Duration.ofHours(4);
    public static final int DEFAULT_RETENTION_DAYS = 14;
    public static final Duration DEFAULT_LATE_LINES_DELAY = Duration.ofHours(1);

    public ReportSettings {
        Objects.requireNonNull(reporter, "reporter");
        Objects.requireNonNull(mail, "mail");
        Objects.requireNonNull(httpsTimeout, "httpsTimeout");
        Objects.requireNonNull(deliveryWindow, "deliveryWindow");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(lateLinesDelay, "lateLinesDelay");
        if (retentionDays < 2) {
            // the day being built and the day before must still be known, or an ended day could be built twice
            throw new IllegalArgumentException("retention must be at least 2 days, got " + retentionDays);
        }
        if (httpsTimeout.isNegative() || httpsTimeout.isZero()) {
            throw new IllegalArgumentException("https timeout must be positive, got " + httpsTimeout);
        }
        if (deliveryWindow.isNegative() || lateLinesDelay.isNegative()) {
            throw new IllegalArgumentException("delivery window and late lines delay must not be negative");
        }
    }

    /**
     * How long an attempt may hold its queue row: the longer deliverer timeout times the phases of an SMTP
     * transaction, so a live attempt is never taken over by another process.
     */
    public Duration lease() {
        Duration longer = mail.timeout().compareTo(httpsTimeout) > 0 ? mail.timeout() : httpsTimeout;
        return longer.multipliedBy(6);
    }
}
