package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.resolver.policy.ReportUri;
import io.github.mtasts.resolver.policy.TlsRptRecord;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One place a report goes: one mail recipient or one HTTPS endpoint. A {@code mailto:} URI naming several
 * recipients becomes several destinations, so each is delivered, retried and recorded on its own and a retry never
 * repeats a recipient that already has the report.
 */
public sealed interface Destination {

    /** Stable identity for the delivery queue: {@code mailto:<address>} or the https URI as published. */
    String key();

    /** A mail recipient. */
    record MailRecipient(String address) implements Destination {
        public MailRecipient {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String key() {
            return "mailto:" + address;
        }
    }

    /** An HTTPS endpoint reports are POSTed to. */
    record HttpsEndpoint(URI uri) implements Destination {
        public HttpsEndpoint {
            Objects.requireNonNull(uri, "uri");
        }

        @Override
        public String key() {
            return uri.toString();
        }
    }

    /**
     * Every destination of {@code record}, in record order; a recipient or endpoint named twice appears once
     * (addresses compared case-insensitively, since mail systems treat them so in practice).
     */
    static List<Destination> allOf(TlsRptRecord record) {
        Map<String, Destination> destinations = new LinkedHashMap<>();
        for (ReportUri uri : record.rua()) {
            if (uri instanceof ReportUri.Mailto mailto) {
                for (String address : mailto.recipients()) {
                    destinations.putIfAbsent("mailto:" + address.toLowerCase(Locale.ROOT), new MailRecipient(address));
                }
            } else {
                URI target = ((ReportUri.Https) uri).target();
                destinations.putIfAbsent(target.toString(), new HttpsEndpoint(target));
            }
        }
        return List.copyOf(destinations.values());
    }
}
