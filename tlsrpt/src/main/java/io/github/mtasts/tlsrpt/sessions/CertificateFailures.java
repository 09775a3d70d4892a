package io.github.mtasts.tlsrpt.sessions;

/**
 * Maps the reason Postfix logs after {@code certificate verification failed for host[ip]:port: } to an
 * RFC 8460 §4.3.1 result type. Postfix names some OpenSSL errors in words and logs the rest as
 * {@code num=N:text} with the OpenSSL {@code X509_V_ERR_*} number.
 */
final class CertificateFailures {
    private CertificateFailures() {
    }

    static ResultType classify(String reason) {
        if (reason.startsWith("num=")) {
            int colon = reason.indexOf(':');
            int number = parseNumber(reason, 4, colon < 0 ? reason.length() : colon);
            return classifyX509Error(number);
        }
        if (reason.startsWith("self-signed certificate") || reason.startsWith("untrusted issuer")
                || reason.startsWith("not trusted by local or TLSA policy")) {
            return ResultType.CERTIFICATE_NOT_TRUSTED;
        }
        if (reason.startsWith("certificate has expired")) {
            return ResultType.CERTIFICATE_EXPIRED;
        }
        // "certificate not yet valid", "not designated for use as a server certificate",
        // "certificate chain longer than limit(N)" and anything newer.
        return ResultType.VALIDATION_FAILURE;
    }

    /** OpenSSL {@code X509_V_ERR_*} numbers (include/openssl/x509_vfy.h). */
    static ResultType classifyX509Error(int number) {
        return switch (number) {
            // CERT_HAS_EXPIRED, ERROR_IN_CERT_NOT_AFTER_FIELD
            case 10, 14 -> ResultType.CERTIFICATE_EXPIRED;
            // UNABLE_TO_GET_ISSUER_CERT, DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN,
            // UNABLE_TO_GET_ISSUER_CERT_LOCALLY, UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_UNTRUSTED, CERT_REJECTED
            case 2, 18, 19, 20, 21, 27, 28 -> ResultType.CERTIFICATE_NOT_TRUSTED;
            // HOSTNAME_MISMATCH, EMAIL_MISMATCH, IP_ADDRESS_MISMATCH
            case 62, 63, 64 -> ResultType.CERTIFICATE_HOST_MISMATCH;
            // DANE_NO_MATCH: the certificate matches none of the MX host's TLSA records (RFC 8460 §4.3.2.1)
            case 65 -> ResultType.TLSA_INVALID;
            default -> ResultType.VALIDATION_FAILURE;
        };
    }

    private static int parseNumber(String s, int from, int to) {
        if (to <= from || to - from > 4) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
