/**
 * Sending built reports to the destinations of a policy domain's TLSRPT record: {@link
 * io.github.mtasts.tlsrpt.delivery.MailDelivery} for {@code mailto:} (SMTP via a relay, DKIM-signed) and {@link
 * io.github.mtasts.tlsrpt.delivery.HttpsDelivery} for {@code https:}. Each attempt ends in a {@link
 * io.github.mtasts.tlsrpt.delivery.DeliveryResult} the {@link io.github.mtasts.tlsrpt.delivery.DeliveryQueue} acts
 * on: the durable queue that delivers each (day, policy domain, destination) exactly once, and {@link
 * io.github.mtasts.tlsrpt.delivery.ReportDispatch}, the resumable steps from a day's aggregates to delivered
 * reports.
 */
package io.github.mtasts.tlsrpt.delivery;
