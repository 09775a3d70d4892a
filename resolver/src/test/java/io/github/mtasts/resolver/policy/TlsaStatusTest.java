package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.testing.TestCa;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsaStatusTest {

    static final DaneTlsa DANE_EE = new DaneTlsa(3, 1, 1, "ab");
    static final DaneTlsa PKIX_TA = new DaneTlsa(0, 0, 1, "ab");

    @ParameterizedTest
    @CsvSource({
            "2, 0, 0, true", "2, 1, 1, true", "3, 0, 2, true", "3, 1, 1, true",
            // RFC 7672 §3.1.3: PKIX usages are unusable in SMTP
            "0, 0, 1, false", "1, 1, 1, false",
            // unknown usage, selector or matching type
            "4, 1, 1, false", "3, 2, 1, false", "3, 1, 3, false", "255, 255, 255, false"})
    void usableRecords(int usage, int selector, int matchingType, boolean usable) {
        assertThat(new DaneTlsa(usage, selector, matchingType, "00ff").usable()).isEqualTo(usable);
    }

    @Test
    void matchesTheSelectedPartAsIsOrDigested() throws Exception {
        X509Certificate certificate = TestCa.create("tlsa test").issue("mx.example.com").certificate();
        byte[] der = certificate.getEncoded();
        byte[] spki = certificate.getPublicKey().getEncoded();
        HexFormat hex = HexFormat.of();
        String spki256 = hex.formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
        assertThat(new DaneTlsa(3, 1, 1, spki256).matches(der, spki)).isTrue();
        assertThat(new DaneTlsa(3, 0, 1, spki256).matches(der, spki)).as("selector 0 digests the certificate").isFalse();
        assertThat(new DaneTlsa(3, 0, 2, hex.formatHex(MessageDigest.getInstance("SHA-512").digest(der)))
                .matches(der, spki)).isTrue();
        assertThat(new DaneTlsa(3, 1, 0, hex.formatHex(spki)).matches(der, spki)).isTrue();
        assertThat(new DaneTlsa(3, 1, 3, spki256).matches(der, spki)).as("unknown matching type").isFalse();
        assertThat(new DaneTlsa(3, 2, 1, spki256).matches(der, spki)).as("unknown selector").isFalse();
    }

    @Test
    void emptyDataIsUnusable() {
        assertThat(new DaneTlsa(3, 1, 1, "").usable()).isFalse();
    }

    @Test
    void fieldsAreCheckedWhereTheyEnter() {
        assertThatThrownBy(() -> new DaneTlsa(256, 1, 1, "ab")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DaneTlsa(3, 1, 1, "AB")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secureStatusesComeFromTheRecords() {
        assertThat(TlsaStatus.of(DnssecStatus.SECURE, false, List.of(PKIX_TA, DANE_EE)))
                .isEqualTo(TlsaStatus.SECURE_USABLE);
        assertThat(TlsaStatus.of(DnssecStatus.SECURE, false, List.of(PKIX_TA))).isEqualTo(TlsaStatus.SECURE_UNUSABLE);
        assertThat(TlsaStatus.of(DnssecStatus.SECURE, true, List.of())).isEqualTo(TlsaStatus.SECURE_DENIED);
    }

    @Test
    void insecureOrIndeterminateRecordsCountForNothing() {
        assertThat(TlsaStatus.of(DnssecStatus.INSECURE, false, List.of(DANE_EE))).isEqualTo(TlsaStatus.INSECURE);
        assertThat(TlsaStatus.of(DnssecStatus.INDETERMINATE, false, List.of(DANE_EE)))
                .isEqualTo(TlsaStatus.INDETERMINATE);
        assertThat(TlsaStatus.of(DnssecStatus.INSECURE, true, List.of())).isEqualTo(TlsaStatus.INSECURE);
    }
}
