package io.github.mtasts.tlsrpt.delivery;

/** STARTTLS towards the mail relay. */
public enum StartTls {
    /** Plain SMTP, the usual choice for the local Postfix on localhost. */
    OFF,
    /** STARTTLS when offered, without checking the certificate (encryption against passive listeners only). */
    OPPORTUNISTIC,
    /** STARTTLS or no delivery; the certificate must chain to a trusted CA and match the relay's host name. */
    REQUIRED
}
