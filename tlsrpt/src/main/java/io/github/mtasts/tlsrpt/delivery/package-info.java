/**
 * Sending built reports to the destinations of a policy domain's TLSRPT record: {@link
 * io.github.mtasts.tlsrpt.delivery.MailDelivery} for {@code mailto:} (SMTP via a relay, DKIM-signed) and {@link
 * io.github.mtasts.tlsrpt.delivery.HttpsDelivery} for {@code https:}. Each attempt ends in a {@link
 * io.github.mtasts.tlsrpt.delivery.DeliveryResult} the delivery queue acts on.
 */
package io.github.mtasts.tlsrpt.delivery;
