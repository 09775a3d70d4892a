package io.github.mtasts.tlsrpt.sessions;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One TLS session of the Postfix SMTP client, classified. What TLS did only: whether it counts as a failure
 * under the policy in force is decided later, by the policy join.
 *
 * @param time              when the session's outcome was logged
 * @param host              the logging host (the sending MTA's log host name)
 * @param queueId           the queue id of the first delivery over the session; null for a {@code TLSRPT:} line
 *                          that precedes its delivery line
 * @param recipient         the first recipient delivered over the session ({@code to=<...>}); null like queueId
 * @param policyDomain      the policy domain, lowercase: the {@code domain=} of a {@code TLSRPT:} line, else the
 *                          domain of the first recipient (the next-hop domain for MX routing)
 * @param mxHost            the receiving MX host name as logged
 * @param mxIp              the receiving IP address; null when Postfix did not log one
 * @param result            success or the RFC 8460 result type
 * @param failureReasonCode the detail behind a failure (the X.509 verification text, the handshake error);
 *                          null for success or when Postfix gave none
 * @param evidence          what the classification rests on
 */
public record TlsSession(Instant time, String host, String queueId, String recipient, String policyDomain,
                         String mxHost, String mxIp, ResultType result, String failureReasonCode,
                         Evidence evidence) {
    public TlsSession {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(evidence, "evidence");
        if (policyDomain.isEmpty() || !policyDomain.equals(policyDomain.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("policyDomain must be non-empty lowercase: " + policyDomain);
        }
        if (result == ResultType.SUCCESS && failureReasonCode != null) {
            throw new IllegalArgumentException("a successful session has no failure reason: " + failureReasonCode);
        }
    }
}
