package io.github.mtasts.tlsrpt.sessions;

/** What a {@link TlsSession}'s classification rests on, strongest first. */
public enum Evidence {
    /** A Postfix ≥ 3.10 {@code TLSRPT: status=...} line: Postfix's own verdict, authoritative. */
    TLSRPT_LINE,
    /**
     * A {@code TLSRPT:} line followed by Postfix's warning that it could not send the datagram to the collector
     * socket: as authoritative as {@link #TLSRPT_LINE}, but no datagram collector counted the session.
     */
    TLSRPT_LINE_NOT_SENT,
    /** Postfix's TLS log lines ({@code ... TLS connection established}, verification failures, STARTTLS errors). */
    TLS_LOG,
    /**
     * Postfix's TLS log lines show a connection established without authenticating the server ({@code Untrusted} or
     * {@code Anonymous}) and no sign that the security level asked for authentication (no verification failure,
     * no {@code Server certificate not verified}): opportunistic TLS ({@code may}, {@code encrypt}). Classified
     * {@code certificate-not-trusted}, which is a failure only under a policy that requires an authenticated
     * server; with no policy the session succeeded, as Postfix's own TLSRPT reports it.
     */
    UNAUTHENTICATED_TLS,
    /**
     * A delivery over SMTP with no TLS line at all: the connection was plaintext, or {@code smtp_tls_loglevel}
     * is 0, or the transport is a content filter. Only meaningful once the policy join shows the relay is an MX
     * of the policy domain; counted as {@code starttls-not-supported} only then.
     */
    PLAINTEXT_DELIVERY
}
