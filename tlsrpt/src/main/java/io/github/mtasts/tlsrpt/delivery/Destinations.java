package io.github.mtasts.tlsrpt.delivery;


import java.net.URI;
import java.net.URISyntaxException;

/** Destinations back from their queue keys ({@link Destination#key()}). */
final class Destinations {
    private static final String MAILTO = "mailto:";

    private Destinations() {
    }

    static Destination fromKey(String key) {
        if (key.startsWith(MAILTO)) {
            return new Destination.MailRecipient(key.substring(MAILTO.length()));
        }
        try {
            return new Destination.HttpsEndpoint(new URI(key));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("queued destination is neither mailto: nor a URI: " + key, e);
        }
    }
}
