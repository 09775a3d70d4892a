package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.sessions.ResultType;

import java.util.Objects;

/**
 * The key of one RFC 8460 §4.4 {@code failure-details} entry. Absent values are empty strings, not null, so that
 * they can be part of a database primary key.
 *
 * @param resultType          the failure's result type; never success
 * @param sendingMtaIp        our address the session left from (from config: Postfix does not log it)
 * @param receivingMxHostname the MX host name Postfix connected to
 * @param receivingMxHelo     the name the MX gave in its EHLO reply (Postfix reports it in its datagrams, its log
 *                            does not)
 * @param receivingIp         the MX address
 * @param failureReasonCode   free-form detail (the X.509 error text, the handshake error)
 */
public record FailureKey(ResultType resultType, String sendingMtaIp, String receivingMxHostname,
                         String receivingMxHelo, String receivingIp, String failureReasonCode) {
    public FailureKey {
        Objects.requireNonNull(resultType, "resultType");
        Objects.requireNonNull(sendingMtaIp, "sendingMtaIp");
        Objects.requireNonNull(receivingMxHostname, "receivingMxHostname");
        Objects.requireNonNull(receivingMxHelo, "receivingMxHelo");
        Objects.requireNonNull(receivingIp, "receivingIp");
        Objects.requireNonNull(failureReasonCode, "failureReasonCode");
        if (!resultType.isFailure()) {
            throw new IllegalArgumentException("a failure detail needs a failure result type, got "
                    + resultType.rfcName());
        }
    }

    /** A key without the MX's EHLO name, which Postfix's log does not have. */
    public FailureKey(ResultType resultType, String sendingMtaIp, String receivingMxHostname, String receivingIp,
                      String failureReasonCode) {
        this(resultType, sendingMtaIp, receivingMxHostname, "", receivingIp, failureReasonCode);
    }
}
