package io.github.mtasts.tlsrpt.sessions;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class CertificateFailuresTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "self-signed certificate|CERTIFICATE_NOT_TRUSTED",
            "untrusted issuer /C=de/O=XXX GmbH/CN=XX CA|CERTIFICATE_NOT_TRUSTED",
            "not trusted by local or TLSA policy|CERTIFICATE_NOT_TRUSTED",
            "certificate has expired|CERTIFICATE_EXPIRED",
            "certificate not yet valid|VALIDATION_FAILURE",
            "not designated for use as a server certificate|VALIDATION_FAILURE",
            "certificate chain longer than limit(9)|VALIDATION_FAILURE",
            "num=10:certificate has expired|CERTIFICATE_EXPIRED",
            "num=18:self-signed certificate|CERTIFICATE_NOT_TRUSTED",
            "num=19:self-signed certificate in certificate chain|CERTIFICATE_NOT_TRUSTED",
            "num=20:unable to get local issuer certificate|CERTIFICATE_NOT_TRUSTED",
            "num=21:unable to verify the first certificate|CERTIFICATE_NOT_TRUSTED",
            "num=62:hostname mismatch|CERTIFICATE_HOST_MISMATCH",
            "num=64:IP address mismatch|CERTIFICATE_HOST_MISMATCH",
            "num=23:certificate revoked|VALIDATION_FAILURE",
            "num=abc:garbage|VALIDATION_FAILURE",
            "num=|VALIDATION_FAILURE",
            "something new|VALIDATION_FAILURE"})
    void mapsPostfixVerificationReasonsToRfc8460Types(String reason, ResultType expected) {
        assertThat(CertificateFailures.classify(reason)).isEqualTo(expected);
    }
}
