package io.github.mtasts.tlsrpt.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TlsaPolicyTest {

    @Test
    void keyRoundTripsWithRecordsSorted() {
        TlsaPolicy policy = new TlsaPolicy("mx.example.com", List.of("3 1 1 " + "ab".repeat(32), "2 0 1 " + "cd".repeat(32)));

        assertThat(policy.key()).isEqualTo("mx.example.com|2 0 1 " + "cd".repeat(32) + "|3 1 1 " + "ab".repeat(32));
        assertThat(TlsaPolicy.ofKey(policy.key())).isEqualTo(policy);
    }

    @Test
    void aHostWithoutKnownRecordsIsItsNameAlone() {
        TlsaPolicy unknown = new TlsaPolicy("mx.example.com", List.of());
        assertThat(unknown.key()).isEqualTo("mx.example.com");
        assertThat(TlsaPolicy.ofKey("mx.example.com")).isEqualTo(unknown);
    }

    @Test
    void aFullCertificateRecordIsAccepted() {
        // matching type 0: the whole DER certificate, a few KiB of hex
        assertThat(new TlsaPolicy("mx.example.com", List.of("3 0 0 " + "30".repeat(1500))).records()).hasSize(1);
    }

    @Test
    void malformedHostsAndRecordsAreRejected() {
        assertThatThrownBy(() -> new TlsaPolicy("MX.example.com", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TlsaPolicy("mx|example", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TlsaPolicy("mx.example.com", List.of("3 1 1 ABCD")))
                .hasMessageContaining("not a TLSA record in presentation form");
        assertThatThrownBy(() -> new TlsaPolicy("mx.example.com", List.of("3 1 1")))
                .hasMessageContaining("not a TLSA record in presentation form");
    }
}
