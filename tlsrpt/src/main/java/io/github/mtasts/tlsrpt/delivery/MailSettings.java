package io.github.mtasts.tlsrpt.delivery;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How report mail leaves: through which relay, as whom, signed how.
 *
 * @param relayHost host of the SMTP relay (default the local Postfix)
 * @param relayPort its port (default 25)
 * @param startTls  STARTTLS policy towards the relay
 * @param username  SMTP AUTH user, or null for no authentication
 * @param password  SMTP AUTH password (required with a username)
 * @param from      the From address, e.g. {@code tlsrpt-noreply@example.net} or {@code "TLS reports <tlsrpt@example.net>"};
 *                  its bare address is also the envelope sender
 * @param heloName  the EHLO name, or null for the JVM's host name
 * @param timeout   connect, read and write timeout towards the relay
 * @param dkim      DKIM signing, or null when a milter on the relay signs
 */
public record MailSettings(String relayHost, int relayPort, StartTls startTls, String username, String password,
                           String from, String heloName, Duration timeout, DkimSettings dkim) {

    public static final String DEFAULT_RELAY_HOST = "localhost";
    public static final int DEFAULT_RELAY_PORT = 25;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public MailSettings {
        Objects.requireNonNull(relayHost, "relayHost");
        Objects.requireNonNull(startTls, "startTls");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(timeout, "timeout");
        if (relayHost.isBlank()) {
            throw new IllegalArgumentException("relay host is blank");
        }
        if (relayPort < 1 || relayPort > 65535) {
            throw new IllegalArgumentException("relay port must be 1..65535, got " + relayPort);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("SMTP authentication needs both a username and a password");
        }
        try {
            fromAddress(from);
        } catch (AddressException e) {
            throw new IllegalArgumentException("from address \"" + from + "\" is invalid: " + e.getMessage());
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** The From header's address, display name included. */
    public InternetAddress fromAddress() {
        try {
            return fromAddress(from);
        } catch (AddressException e) {
            throw new IllegalStateException("checked when constructed", e);
        }
    }

    private static InternetAddress fromAddress(String from) throws AddressException {
        return new InternetAddress(from, true);
    }
}
