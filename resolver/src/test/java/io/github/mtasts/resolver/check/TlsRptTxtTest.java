package io.github.mtasts.resolver.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsRptTxtTest {

    @Test
    void ruaWithMailtoAndHttpsUrisAndSpacesAroundTheComma() {
        TlsRptTxt record = TlsRptTxt.parse("v=TLSRPTv1; rua=mailto:reports@example.com \t,  https://tlsrpt.example.com/v1");

        assertThat(record.rua()).containsExactly(URI.create("mailto:reports@example.com"),
                URI.create("https://tlsrpt.example.com/v1"));
    }

    @Test
    void trailingDelimiterAndExtensionsAreAccepted() {
        assertThat(TlsRptTxt.parse("v=TLSRPTv1;rua=mailto:a@example.com; ext=1;").rua())
                .containsExactly(URI.create("mailto:a@example.com"));
    }

    @Test
    void ruaIsRequired() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; ext=1"))
                .hasMessageStartingWith("the rua field is required");
    }

    @Test
    void secondRuaIsRejected() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"))
                .hasMessage("more than one rua field (RFC 8460 §3)");
    }

    @Test
    void otherSchemesAreRejected() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; rua=http://example.com/r"))
                .hasMessage("rua URI \"http://example.com/r\": scheme must be mailto or https (RFC 8460 §3)");
    }

    @Test
    void mailtoNeedsAnAddress() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; rua=mailto:reports"))
                .hasMessageContaining("mailto needs one address local@domain");
    }

    @Test
    void httpsNeedsAHost() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; rua=https:/path"))
                .hasMessageContaining("https URL has no host");
    }

    @Test
    void malformedUriIsNamed() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; rua=mailto:a b@example.com"))
                .hasMessageStartingWith("rua URI \"mailto:a b@example.com\" is malformed");
    }

    @Test
    void emptyUriBetweenCommasIsRejected() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com"))
                .hasMessage("empty URI in rua (RFC 8460 §3)");
    }

    @Test
    void versionIsCaseSensitiveAndMustBeFollowedByADelimiter() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=tlsrptv1; rua=mailto:a@example.com"))
                .hasMessageStartingWith("must begin with \"v=TLSRPTv1\"");
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1 rua=mailto:a@example.com"))
                .hasMessageStartingWith("\"v=TLSRPTv1\" must be followed by \";\"");
    }

    @Test
    void badExtensionIsRejected() {
        assertThatThrownBy(() -> TlsRptTxt.parse("v=TLSRPTv1; rua=mailto:a@example.com; -x=1"))
                .hasMessage("invalid field name \"-x\" (RFC 8460 §3)");
    }

    @Test
    void selectIgnoresOtherRecordsAndNeedsExactlyOne() {
        assertThat(TlsRptTxt.select(List.of("v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@example.com")).rua()).hasSize(1);
        assertThatThrownBy(() -> TlsRptTxt.select(List.of("v=spf1 -all")))
                .hasMessageStartingWith("no TXT record begins with v=TLSRPTv1 (1 TXT records at the name)");
        assertThatThrownBy(() -> TlsRptTxt.select(List.of("v=TLSRPTv1; rua=mailto:a@example.com",
                "v=TLSRPTv1; rua=mailto:b@example.com")))
                .hasMessageStartingWith("2 TXT records begin with v=TLSRPTv1");
    }

    @Test
    void versionWithMoreCharactersIsNotACandidate() {
        assertThatThrownBy(() -> TlsRptTxt.select(List.of("v=TLSRPTv10; rua=mailto:a@example.com")))
                .hasMessageStartingWith("no TXT record begins with v=TLSRPTv1");
    }
}
