package io.github.mtasts.resolver.discovery;

import io.github.mtasts.resolver.policy.StsPolicy;

/** Outcome of one MTA-STS discovery for one policy domain (RFC 8461 §3). */
public sealed interface DiscoveryResult {

    /** A TXT record with {@code txtId} and a policy fetched over validated HTTPS and parsed strictly. */
    record Found(String txtId, StsPolicy policy) implements DiscoveryResult {}

    /** The TXT id equals the id of the policy the caller already holds, so no fetch was made (RFC 8461 §3.3). */
    record Unchanged(String txtId) implements DiscoveryResult {}

    /** The domain publishes no usable {@code _mta-sts} record (NXDOMAIN, NODATA, no or several STS records). */
    record NoPolicy(String reason) implements DiscoveryResult {}

    /** Discovery could not complete; {@code detail} is a precise human-readable cause. */
    record Failed(FailureType type, String detail) implements DiscoveryResult {}

    enum FailureType {
        /** DNS timeout, SERVFAIL or another resolver error: not the same as "no record". */
        DNS_FAILURE,
        /** TXT record present but not valid (RFC 8461 §3.1). */
        TXT_INVALID,
        /** HTTPS connection, status, redirect, content type, size or timeout problem (TLSRPT sts-policy-fetch-error). */
        POLICY_FETCH_ERROR,
        /** Policy body does not parse (TLSRPT sts-policy-invalid). */
        POLICY_INVALID,
        /** Certificate of mta-sts.DOMAIN not valid (TLSRPT sts-webpki-invalid). */
        WEBPKI_INVALID
    }
}
