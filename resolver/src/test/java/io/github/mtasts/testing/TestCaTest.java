package io.github.mtasts.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateExpiredException;
import org.junit.jupiter.api.Test;

class TestCaTest {

    @Test
    void issuedLeafIsSignedByTheCaAndNamesTheHost() throws Exception {
        TestCa ca = TestCa.create("Test Root");
        TestCa.Issued leaf = ca.issue("mx1.good.test", "mx2.good.test");
        leaf.certificate().verify(ca.certificate().getPublicKey());
        assertThat(leaf.certificate().getSubjectAlternativeNames()).hasSize(2);
        assertThat(leaf.chainPem()).contains("BEGIN CERTIFICATE");
        assertThat(leaf.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void expiredLeafIsExpired() {
        TestCa ca = TestCa.create("Test Root");
        TestCa.Issued leaf = ca.issueExpired("old.test");
        assertThatThrownBy(() -> leaf.certificate().checkValidity()).isInstanceOf(CertificateExpiredException.class);
    }
}
