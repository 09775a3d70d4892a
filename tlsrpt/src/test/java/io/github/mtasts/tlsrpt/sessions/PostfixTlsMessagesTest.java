package io.github.mtasts.tlsrpt.sessions;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PostfixTlsMessagesTest {

    @Test
    void settingUpNamesThePeer() {
        assertThat(PostfixTlsMessages.parse("setting up TLS connection to gmail-smtp-in.l.google.com[74.125.140.27]:25"))
                .isEqualTo(new TlsEvent.SettingUp(new Peer("gmail-smtp-in.l.google.com", "74.125.140.27", 25)));
    }

    @Test
    void establishedAndReusedKeepLevelAndIpv6Peer() {
        assertThat(PostfixTlsMessages.parse("Verified TLS connection established to mail.sys4.de[2001:1578:400:111::7]:25: TLSv1 with cipher ECDHE-RSA-AES256-SHA (256/256 bits)"))
                .isEqualTo(new TlsEvent.Established(new Peer("mail.sys4.de", "2001:1578:400:111::7", 25), "Verified", false));
        assertThat(PostfixTlsMessages.parse("Untrusted TLS connection reused to mail.example.com[ipaddr]:25: TLSv1.2 with cipher X"))
                .isEqualTo(new TlsEvent.Established(new Peer("mail.example.com", "ipaddr", 25), "Untrusted", true));
    }

    @Test
    void serverSideEstablishedIsNotAClientSession() {
        assertThat(PostfixTlsMessages.parse("Anonymous TLS connection established from julie.example.com[10.163.89.202]: TLSv1.3")).isNull();
    }

    @Test
    void verificationFailuresOfEveryPrefixAreRecognised() {
        assertThat(PostfixTlsMessages.parse("certificate verification failed for mail.example.com[113.169.17.115]:25: self-signed certificate."))
                .isEqualTo(new TlsEvent.VerifyFailed(new Peer("mail.example.com", "113.169.17.115", 25),
                        ResultType.CERTIFICATE_NOT_TRUSTED, "self-signed certificate"));
        assertThat(PostfixTlsMessages.parse("server certificate verification failed for firewall.pue.de[93.240.123.73]:25: num=64:IP address mismatch"))
                .isEqualTo(new TlsEvent.VerifyFailed(new Peer("firewall.pue.de", "93.240.123.73", 25),
                        ResultType.CERTIFICATE_HOST_MISMATCH, "num=64:IP address mismatch"));
        assertThat(PostfixTlsMessages.parse("CA certificate verification failed for mx.example[192.0.2.1]:25: certificate has expired"))
                .isEqualTo(new TlsEvent.VerifyFailed(new Peer("mx.example", "192.0.2.1", 25),
                        ResultType.CERTIFICATE_EXPIRED, "certificate has expired"));
    }

    @Test
    void sslConnectErrorCarriesItsReason() {
        assertThat(PostfixTlsMessages.parse("SSL_connect error to mail.example.org[112.63.65.2]:25: -1"))
                .isEqualTo(new TlsEvent.HandshakeError(new Peer("mail.example.org", "112.63.65.2", 25), "SSL_connect error: -1"));
    }

    @Test
    void cannotStartTlsWithAndWithoutQueueId() {
        assertThat(PostfixTlsMessages.parse("B97C42542CE: Cannot start TLS: handshake failure")).isInstanceOf(TlsEvent.CannotStartTls.class);
        assertThat(PostfixTlsMessages.parse("Cannot start TLS: handshake failure")).isInstanceOf(TlsEvent.CannotStartTls.class);
    }

    @Test
    void tlsrptLinesMapPostfixFailureTypes() {
        assertThat(PostfixTlsMessages.parse("TLSRPT: status=failure, domain=example.org, receiving_mx=mail.example.org[192.0.2.25], failure_type=starttls_not_supported"))
                .isEqualTo(new TlsEvent.TlsrptStatus("example.org", "mail.example.org", "192.0.2.25", ResultType.STARTTLS_NOT_SUPPORTED, null));
        assertThat(PostfixTlsMessages.parse("TLSRPT: status=failure, domain=example.org, receiving_mx=mail.example.org[ipaddr], failure_type=certificate_not_trusted"))
                .as("a documentation placeholder is no address")
                .isEqualTo(new TlsEvent.TlsrptStatus("example.org", "mail.example.org", null, ResultType.CERTIFICATE_NOT_TRUSTED, null));
        assertThat(PostfixTlsMessages.parse("TLSRPT: status=failure, domain=example.org, receiving_mx=mx[2001:db8::1], failure_type=brand_new_type"))
                .isEqualTo(new TlsEvent.TlsrptStatus("example.org", "mx", "2001:db8::1", ResultType.VALIDATION_FAILURE, "brand_new_type"));
        assertThat(PostfixTlsMessages.parse("TLSRPT: status=success, domain=mpi-klsb.mpg.de, receiving_mx=u04mx01.mp"))
                .isEqualTo(new TlsEvent.TlsrptStatus("mpi-klsb.mpg.de", "u04mx01.mp", null, ResultType.SUCCESS, null));
        assertThat(PostfixTlsMessages.parse("TLSRPT: status=success, domain=mpi-klsb.mpg.de, receiving_mx=u04mx01.mp[...truncated in source...]"))
                .isEqualTo(new TlsEvent.TlsrptStatus("mpi-klsb.mpg.de", "u04mx01.mp", null, ResultType.SUCCESS, null));
        assertThat(PostfixTlsMessages.parse("TLSRPT: status=maybe, domain=example.org, receiving_mx=mx[ip]")).isNull();
    }

    @Test
    void deliveryLinesOfEveryVersionAreParsed() {
        assertThat(PostfixTlsMessages.parse("D33A02504112: to=<[email protected]>, relay=in1-smtp.messagingengine.com[66.111.4.74]:25, delay=8.4, delays=0.02/0/8.4/0, dsn=4.7.5, status=deferred (Server certificate not verified)"))
                .isEqualTo(new TlsEvent.Delivery("D33A02504112", "[email protected]",
                        new Peer("in1-smtp.messagingengine.com", "66.111.4.74", 25), "deferred", "Server certificate not verified", null));
        // Postfix 3.11: conn_use= glued to relay=, tls= before dsn=, orig_to= before relay=.
        assertThat(PostfixTlsMessages.parse("4c8vgk2lXhzNcrX: to=<wie...@porcupine.org>, orig_to=<wietse>, relay=spike.porcupine.org[168.100.3.2]:25,conn_use=2, delay=0.31, delays=0.06/0.05/0.07/0.12, tls=may, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4c8vgk3xlZzJrNm)"))
                .isEqualTo(new TlsEvent.Delivery("4c8vgk2lXhzNcrX", "wie...@porcupine.org",
                        new Peer("spike.porcupine.org", "168.100.3.2", 25), "sent", "250 2.0.0 Ok: queued as 4c8vgk3xlZzJrNm", "may"));
        assertThat(PostfixTlsMessages.parse("Q: to=<u@x>, relay=none, delay=1, dsn=4.7.5, status=deferred (client TLS configuration problem)"))
                .isEqualTo(new TlsEvent.Delivery("Q", "u@x", null, "deferred", "client TLS configuration problem", null));
    }

    @Test
    void unrelatedMessagesAreNotEvents() {
        assertThat(PostfixTlsMessages.parse("")).isNull();
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for [127.0.0.1]:2530/127.0.0.1: client TLS configuration problem")).isNull();
        assertThat(PostfixTlsMessages.parse("A26A32167C2: from=<alice@sender.example.test>, size=425, nrcpt=1 (queue active)")).isNull();
        assertThat(PostfixTlsMessages.parse("SSL_connect:SSLv3/TLS write client hello")).isNull();
        assertThat(PostfixTlsMessages.parse("Trusted TLS connection established to nowhere")).isNull();
        assertThat(PostfixTlsMessages.parse("certificate verification failed for")).isNull();
        assertThat(PostfixTlsMessages.parse("Q: to=<unterminated")).isNull();
    }

    @Test
    void daneReasonsOfASkippedMxHostBecomeDaneResultTypes() {
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for tlsa.bogus.test/mx.tlsa.bogus.test: TLSA lookup error for mx.tlsa.bogus.test:25"))
                .isEqualTo(new TlsEvent.DanePolicyFailed("tlsa.bogus.test", "mx.tlsa.bogus.test",
                        ResultType.DNSSEC_INVALID, "TLSA lookup error for mx.tlsa.bogus.test:25"));
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for Example.COM/mx.example.com: no TLSA records found"))
                .isEqualTo(new TlsEvent.DanePolicyFailed("example.com", "mx.example.com", ResultType.DANE_REQUIRED,
                        "no TLSA records found"));
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for good.test/mx.good.test: non DNSSEC destination"))
                .isEqualTo(new TlsEvent.DanePolicyFailed("good.test", "mx.good.test", ResultType.DANE_REQUIRED,
                        "non DNSSEC destination"));
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for example.com/mx.example.com: TLSA records unusable"))
                .isEqualTo(new TlsEvent.DanePolicyFailed("example.com", "mx.example.com", ResultType.TLSA_INVALID,
                        "TLSA records unusable"));
    }

    @Test
    void policyLookupWarningsWithoutDaneReasonOrPolicyDomainAreIgnored() {
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for example.com/mx.example.com: client TLS configuration problem")).isNull();
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for [127.0.0.1]:2530/127.0.0.1: no TLSA records found")).isNull();
        assertThat(PostfixTlsMessages.parse("warning: TLS policy lookup for nothing")).isNull();
    }

    @Test
    void daneTlsaMismatchIsTlsaInvalid() {
        assertThat(PostfixTlsMessages.parse("server certificate verification failed for mx.mismatch.dane.test[127.0.1.34]:25: num=65:no matching DANE TLSA records"))
                .isEqualTo(new TlsEvent.VerifyFailed(new Peer("mx.mismatch.dane.test", "127.0.1.34", 25),
                        ResultType.TLSA_INVALID, "num=65:no matching DANE TLSA records"));
    }
}
