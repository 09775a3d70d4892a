package io.github.mtasts.tlsrpt.sessions;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;

import java.util.Locale;

/** What TLS did in one session: success, or an RFC 8460 §4.3 result type. */
public enum ResultType {
    SUCCESS("success"),
    // RFC 8460 §4.3.1: negotiation failures
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    CERTIFICATE_EXPIRED("certificate-expired"),
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    VALIDATION_FAILURE("validation-failure"),
    // RFC 8460 §4.3.2: policy failures, MTA-STS
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    STS_POLICY_INVALID("sts-policy-invalid"),
    STS_WEBPKI_INVALID("sts-webpki-invalid"),
    // RFC 8460 §4.3.2: policy failures, DANE
    TLSA_INVALID("tlsa-invalid"),
    DNSSEC_INVALID("dnssec-invalid"),
    DANE_REQUIRED("dane-required");

    private final String rfcName;

    ResultType(String rfcName) {
        this.rfcName = rfcName;
    }

    /** The name used in RFC 8460 reports ({@code result-type}). */
    public String rfcName() {
        return rfcName;
    }

    public boolean isFailure() {
        return this != SUCCESS;
    }

    /**
     * The result type for a Postfix {@code TLSRPT:} {@code failure_type} value, which spells the RFC names with
     * underscores ({@code starttls_not_supported}); null for a value this version does not know.
     */
    public static ResultType fromPostfixFailureType(String failureType) {
        String rfcName = failureType.toLowerCase(Locale.ROOT).replace('_', '-');
        for (ResultType type : values()) {
            if (type.isFailure() && type.rfcName.equals(rfcName)) {
                return type;
            }
        }
        return null;
    }

    /**
     * The RFC 8460 §4.3.2.2 result type of one of our resolver's discovery failures, or null for one RFC 8460 has no
     * type for: a DNS failure or an invalid TXT record leaves the sender without any policy to report on.
     */
    public static ResultType ofDiscoveryFailure(FailureType type) {
        return switch (type) {
            case POLICY_FETCH_ERROR -> STS_POLICY_FETCH_ERROR;
            case POLICY_INVALID -> STS_POLICY_INVALID;
            case WEBPKI_INVALID -> STS_WEBPKI_INVALID;
            case DNS_FAILURE, TXT_INVALID -> null;
        };
    }
}
