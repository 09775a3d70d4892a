package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.TlsRptReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Delivers a report to an {@code https:} destination (RFC 8460 §3: reports are "submitted via POST"), the body
 * being the gzipped report as {@code application/tlsrpt+gzip}. A 2xx answer is delivery; any other answer or no
 * answer is retried later, since an HTTP status says little about whether the receiver will ever accept.
 */
public final class HttpsDelivery {

    private final HttpClient client;
    private final Duration timeout;
    private final String userAgent;

    /**
     * @param tls       trust for the receivers' certificates (the JVM default, or a test CA); RFC 8460 §3 lets a
     *                  sender ignore certificate errors, but checking them keeps reports away from impostors
     * @param timeout   connect timeout and whole-request timeout
     * @param userAgent the User-Agent header
     */
    public HttpsDelivery(SSLContext tls, Duration timeout, String userAgent) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
        this.client = HttpClient.newBuilder()
                .sslContext(Objects.requireNonNull(tls, "tls"))
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect could turn the POST into a GET elsewhere
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * One POST of {@code report} to {@code target}, passing {@code commitPoint} right before the body's last byte;
     * never throws for delivery problems.
     */
    public DeliveryResult deliver(TlsRptReport report, URI target, CommitPoint commitPoint) {
        if (!"https".equalsIgnoreCase(target.getScheme())) {
            return new DeliveryResult.PermanentFailure("not an https URI: " + target);
        }
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(timeout)
                .header("Content-Type", MailDelivery.REPORT_MEDIA_TYPE)
                .header("User-Agent", userAgent)
                .POST(new CommitPointBody(report.gzip(), commitPoint,
                        "POST of report-id <" + report.reportId() + "> to " + target))
                .build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new DeliveryResult.Delivered(target + " answered HTTP " + status);
            }
            return new DeliveryResult.RetryableFailure(target + " answered HTTP " + status);
        } catch (IOException e) {
            return new DeliveryResult.RetryableFailure("POST to " + target + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DeliveryResult.RetryableFailure("POST to " + target + " interrupted");
        }
    }
}
