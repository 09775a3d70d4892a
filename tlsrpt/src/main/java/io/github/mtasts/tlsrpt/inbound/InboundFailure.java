package io.github.mtasts.tlsrpt.inbound;

import java.util.Objects;
import java.util.Optional;

/**
 * One {@code failure-details} entry of a received report (RFC 8460 §4.3). Every field but the result type
 * and the count is optional here because real senders omit them (Microsoft sends neither IPs nor host names).
 */
public record InboundFailure(String resultType, Optional<String> sendingMtaIp, Optional<String> receivingMxHostname,
                             Optional<String> receivingMxHelo, Optional<String> receivingIp, long failedSessions,
                             Optional<String> additionalInformation, Optional<String> failureReasonCode) {

    public InboundFailure {
        InboundReport.requireText(resultType, "resultType");
        Objects.requireNonNull(sendingMtaIp, "sendingMtaIp");
        Objects.requireNonNull(receivingMxHostname, "receivingMxHostname");
        Objects.requireNonNull(receivingMxHelo, "receivingMxHelo");
        Objects.requireNonNull(receivingIp, "receivingIp");
        Objects.requireNonNull(additionalInformation, "additionalInformation");
        Objects.requireNonNull(failureReasonCode, "failureReasonCode");
        if (failedSessions < 0) {
            throw new IllegalArgumentException("negative failed session count");
        }
    }
}
