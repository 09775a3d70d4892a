/**
 * From log lines to TLS sessions: {@link io.github.mtasts.tlsrpt.sessions.SessionTracker} follows each Postfix
 * SMTP client process and emits one classified {@link io.github.mtasts.tlsrpt.sessions.TlsSession} per TLS
 * session (RFC 8460 §4.3 result types). What the policy in force makes of a session is decided after this
 * package, by the policy join.
 */
package io.github.mtasts.tlsrpt.sessions;
