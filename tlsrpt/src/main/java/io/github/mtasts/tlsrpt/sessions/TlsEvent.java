package io.github.mtasts.tlsrpt.sessions;

/** What one Postfix SMTP client log message says about a TLS session. */
sealed interface TlsEvent {

    /** {@code setting up TLS connection to host[ip]:port}: a handshake begins. */
    record SettingUp(Peer peer) implements TlsEvent {
    }

    /** {@code [server |CA ]certificate verification failed for host[ip]:port: reason}. */
    record VerifyFailed(Peer peer, ResultType result, String reason) implements TlsEvent {
    }

    /** {@code Level TLS connection established|reused to host[ip]:port: protocol...}. */
    record Established(Peer peer, String level, boolean reused) implements TlsEvent {
    }

    /** {@code SSL_connect error to host[ip]:port: reason}. */
    record HandshakeError(Peer peer, String reason) implements TlsEvent {
    }

    /** {@code [QUEUEID: ]Cannot start TLS: handshake failure}. */
    record CannotStartTls() implements TlsEvent {
    }

    /**
     * {@code warning: TLS policy lookup for DESTINATION/HOST: REASON} with a DANE reason: Postfix skipped the MX host
     * without connecting, because its TLSA records could not be validated or DANE was required where none exist.
     */
    record DanePolicyFailed(String domain, String mxHost, ResultType result, String reason) implements TlsEvent {
    }

    /** Postfix ≥ 3.10 {@code TLSRPT: status=..., domain=..., receiving_mx=...[, failure_type=...]}. */
    record TlsrptStatus(String domain, String mxHost, String mxIp, ResultType result, String reason)
            implements TlsEvent {
    }

    /**
     * {@code warning: Could not report TLS handshake result to tlsrpt library: ...}: the datagram of the
     * {@code TLSRPT:} line just before it never reached a collector.
     */
    record TlsrptNotSent() implements TlsEvent {
    }

    /**
     * {@code QUEUEID: to=<rcpt>, relay=host[ip]:port, ..., status=sent|deferred|bounced (reason)}; {@code tls} is
     * the Postfix ≥ 3.11 {@code tls=} feature status ({@code may}, {@code may:none}, {@code dane/requiretls}),
     * null when not logged.
     */
    record Delivery(String queueId, String recipient, Peer relay, String status, String reason, String tls)
            implements TlsEvent {
    }
}
