package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.resolver.policy.DomainNames;
import io.github.mtasts.tlsrpt.sessions.IpLiterals;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One {@code failure-details} entry (RFC 8460 §4.3): failed sessions sharing a result type and the same
 * sending and receiving ends. Optional members are null when unknown and are then left out of the report; an empty
 * or blank string counts as unknown too, since the aggregate store keys absent values as empty strings.
 *
 * @param resultType            an RFC 8460 §4.3 failure result type ({@link ResultType#rfcName()}), e.g.
 *                              {@code certificate-expired}
 * @param sendingMtaIp          IP literal of our sending MTA, or null
 * @param receivingMxHostname   host name of the receiving MX, or null
 * @param receivingMxHelo       the name the receiving MX greeted with, or null
 * @param receivingIp           IP literal of the receiving MX, or null
 * @param failedSessionCount    sessions that failed this way, at least 1
 * @param additionalInformation a URI pointing to more information, or null
 * @param failureReasonCode     free text such as the X.509 error, or null
 */
public record FailureDetail(String resultType, String sendingMtaIp, String receivingMxHostname,
                            String receivingMxHelo, String receivingIp, long failedSessionCount,
                            String additionalInformation, String failureReasonCode) {

    /** The failure result types of RFC 8460 §4.3 (the IANA registry of §6.6), as written in reports. */
    public static final Set<String> RESULT_TYPES = Arrays.stream(ResultType.values())
            .filter(ResultType::isFailure).map(ResultType::rfcName).collect(Collectors.toUnmodifiableSet());

    public FailureDetail {
        Objects.requireNonNull(resultType, "resultType");
        sendingMtaIp = blankToNull(sendingMtaIp);
        receivingMxHostname = blankToNull(receivingMxHostname);
        receivingMxHelo = blankToNull(receivingMxHelo);
        receivingIp = blankToNull(receivingIp);
        additionalInformation = blankToNull(additionalInformation);
        failureReasonCode = blankToNull(failureReasonCode);
        if (!RESULT_TYPES.contains(resultType)) {
            throw new IllegalArgumentException("result-type \"" + resultType
                    + "\" is not an RFC 8460 §4.3 result type " + RESULT_TYPES);
        }
        if (sendingMtaIp != null && !IpLiterals.isIpLiteral(sendingMtaIp)) {
            throw new IllegalArgumentException("sending-mta-ip \"" + sendingMtaIp + "\" is not an IP address literal");
        }
        if (receivingIp != null && !IpLiterals.isIpLiteral(receivingIp)) {
            throw new IllegalArgumentException("receiving-ip \"" + receivingIp + "\" is not an IP address literal");
        }
        if (receivingMxHostname != null && !DomainNames.isHostName(trimDot(receivingMxHostname))) {
            throw new IllegalArgumentException("receiving-mx-hostname \"" + receivingMxHostname + "\" is not a host name");
        }
        if (failedSessionCount < 1) {
            throw new IllegalArgumentException("failed-session-count must be at least 1, got " + failedSessionCount);
        }
        if (additionalInformation != null) {
            try {
                if (!new URI(additionalInformation).isAbsolute()) {
                    throw new URISyntaxException(additionalInformation, "not an absolute URI");
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("additional-information must be a URI (RFC 8460 §4.3): "
                        + e.getMessage());
            }
        }
    }

    /** A detail with only the required members, as Microsoft sends for policy fetch errors. */
    public static FailureDetail of(String resultType, long failedSessionCount) {
        return new FailureDetail(resultType, null, null, null, null, failedSessionCount, null, null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String trimDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
