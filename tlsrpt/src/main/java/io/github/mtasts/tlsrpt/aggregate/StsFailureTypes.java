package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.tlsrpt.sessions.ResultType;

/** RFC 8460 §4.3.2.2 names of the resolver's discovery failures. */
public final class StsFailureTypes {
    private StsFailureTypes() {
    }

    /**
     * The result type of a discovery failure, or null for one RFC 8460 has no type for: a DNS failure or an invalid
     * TXT record leaves the sender without any policy to report on.
     */
    public static ResultType resultTypeOf(FailureType type) {
        return switch (type) {
            case POLICY_FETCH_ERROR -> ResultType.STS_POLICY_FETCH_ERROR;
            case POLICY_INVALID -> ResultType.STS_POLICY_INVALID;
            case WEBPKI_INVALID -> ResultType.STS_WEBPKI_INVALID;
            case DNS_FAILURE, TXT_INVALID -> null;
        };
    }

    /** The RFC 8460 name of {@link #resultTypeOf(FailureType)}, or null where that is null. */
    public static String ofDiscoveryFailure(FailureType type) {
        ResultType result = resultTypeOf(type);
        return result == null ? null : result.rfcName();
    }
}
