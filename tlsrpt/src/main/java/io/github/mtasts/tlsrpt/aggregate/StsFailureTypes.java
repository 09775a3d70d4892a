package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;

/** RFC 8460 §4.3.2.2 names of the resolver's discovery failures. */
public final class StsFailureTypes {
    private StsFailureTypes() {
    }

    /**
     * The result type of a discovery failure, or null for one RFC 8460 has no type for: a DNS failure or an invalid
     * TXT record leaves the sender without any policy to report on.
     */
    public static String ofDiscoveryFailure(FailureType type) {
        return switch (type) {
            case POLICY_FETCH_ERROR -> "sts-policy-fetch-error";
            case POLICY_INVALID -> "sts-policy-invalid";
            case WEBPKI_INVALID -> "sts-webpki-invalid";
            case DNS_FAILURE, TXT_INVALID -> null;
        };
    }
}
