package io.github.mtasts.tlsrpt.sessions;

import io.github.mtasts.tlsrpt.logs.LineStats;
import io.github.mtasts.tlsrpt.logs.LogLine;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Every scenario captured from a real Postfix 3.7.11 sender (src/test/resources/postfix, one file per TLS
 * scenario, sender and receiver logs interleaved as captured) yields exactly the sessions asserted here.
 */
class RealPostfixLogsTest {
    private static final Clock CAPTURE_DAY = Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC);

    @Test
    void selfSignedCertificateUnderSecureIsNotTrusted() throws IOException {
        TlsSession session = single("a-selfsigned-secure.log");
        assertSession(session, "a.example.test", ResultType.CERTIFICATE_NOT_TRUSTED, "self-signed certificate");
        assertThat(session.time()).isEqualTo(Instant.parse("2026-11-29T01:37:50Z"));
        assertThat(session.queueId()).isEqualTo("A26A32167C2");
        assertThat(session.recipient()).isEqualTo("user-a-selfsigned-secure@a.example.test");
        assertThat(session.host()).isEqualTo("sender");
    }

    @Test
    void missingStarttlsUnderSecureIsStarttlsNotSupported() throws IOException {
        assertSession(single("b-no-starttls-secure.log"), "b.example.test", ResultType.STARTTLS_NOT_SUPPORTED, null);
    }

    @Test
    void certificateForAnotherNameIsHostMismatch() throws IOException {
        assertSession(single("c-hostname-mismatch-secure.log"), "c.example.test",
                ResultType.CERTIFICATE_HOST_MISMATCH, "num=62:hostname mismatch");
    }

    @Test
    void verifiedConnectionIsSuccess() throws IOException {
        assertSession(single("d-verified-secure.log"), "d.example.test", ResultType.SUCCESS, null);
    }

    @Test
    void expiredCertificateIsCertificateExpired() throws IOException {
        assertSession(single("e-expired-secure.log"), "e.example.test", ResultType.CERTIFICATE_EXPIRED,
                "certificate has expired");
    }

    @Test
    void policyLookupTempFailureMakesNoSession() throws IOException {
        assertThat(sessionsOf("f-policy-TEMP.log")).isEmpty();
    }

    @Test
    void trustedConnectionWithoutPolicyIsSuccess() throws IOException {
        assertSession(single("g-policy-NOTFOUND-fallback-may.log"), "g.example.test", ResultType.SUCCESS, null);
    }

    @Test
    void missingStarttlsUnderEncryptIsStarttlsNotSupported() throws IOException {
        assertSession(single("h-encrypt-no-starttls.log"), "h.example.test", ResultType.STARTTLS_NOT_SUPPORTED,
                null);
    }

    @Test
    void untrustedConnectionUnderMayIsUnauthenticatedNotTrustedWithoutReason() throws IOException {
        assertSession(single("i-may-selfsigned.log"), "i.example.test", ResultType.CERTIFICATE_NOT_TRUSTED, null,
                Evidence.UNAUTHENTICATED_TLS);
    }

    @Test
    void untrustedConnectionUnderEncryptIsUnauthenticatedNotTrustedWithoutReason() throws IOException {
        assertSession(single("j-encrypt-selfsigned.log"), "j.example.test", ResultType.CERTIFICATE_NOT_TRUSTED,
                null, Evidence.UNAUTHENTICATED_TLS);
    }

    @Test
    void policyLookupPermFailureMakesNoSession() throws IOException {
        assertThat(sessionsOf("k-policy-PERM.log")).isEmpty();
    }

    @Test
    void secureWithoutMatchAgainstIpNexthopIsHostMismatch() throws IOException {
        assertSession(single("l-secure-no-match.log"), "l.example.test", ResultType.CERTIFICATE_HOST_MISMATCH,
                "num=62:hostname mismatch");
    }

    @Test
    void loglevelTwoDetailLinesStillGiveOneSuccess() throws IOException {
        TlsSession session = single("m-verified-secure-loglevel2.log");
        assertSession(session, "m.example.test", ResultType.SUCCESS, null);
        assertThat(session.queueId()).isEqualTo("7F1FC216195");
    }

    @Test
    void socketmapServerDownMakesNoSession() throws IOException {
        assertThat(sessionsOf("n-socketmap-server-down.log")).isEmpty();
    }

    @Test
    void plaintextDeliveriesOverOneProcessAndRelayAreOneInferredSession() throws IOException {
        List<TlsSession> sessions = sessionsOf("jmilter-real-postfix.log");
        assertThat(sessions).hasSize(1);
        TlsSession session = sessions.get(0);
        assertThat(session.policyDomain()).isEqualTo("z.example.test");
        assertThat(session.result()).isEqualTo(ResultType.STARTTLS_NOT_SUPPORTED);
        assertThat(session.evidence()).isEqualTo(Evidence.PLAINTEXT_DELIVERY);
        assertThat(session.queueId()).isEqualTo("7AB042160F5");
    }

    @Test
    void allScenariosConcatenatedGiveTheSameSessionsAsEachAlone() throws IOException {
        String[] files = {"a-selfsigned-secure.log", "b-no-starttls-secure.log", "c-hostname-mismatch-secure.log",
                "d-verified-secure.log", "e-expired-secure.log", "f-policy-TEMP.log",
                "g-policy-NOTFOUND-fallback-may.log", "h-encrypt-no-starttls.log", "i-may-selfsigned.log",
                "j-encrypt-selfsigned.log", "k-policy-PERM.log", "l-secure-no-match.log",
                "m-verified-secure-loglevel2.log", "n-socketmap-server-down.log"};
        List<String> all = new ArrayList<>();
        List<TlsSession> separately = new ArrayList<>();
        for (String file : files) {
            all.addAll(lines(file));
            separately.addAll(sessionsOf(file));
        }
        assertThat(track(all)).containsExactlyElementsOf(separately);
        assertThat(separately).extracting(TlsSession::result).containsExactly(
                ResultType.CERTIFICATE_NOT_TRUSTED, ResultType.STARTTLS_NOT_SUPPORTED,
                ResultType.CERTIFICATE_HOST_MISMATCH, ResultType.SUCCESS, ResultType.CERTIFICATE_EXPIRED,
                ResultType.SUCCESS, ResultType.STARTTLS_NOT_SUPPORTED, ResultType.CERTIFICATE_NOT_TRUSTED,
                ResultType.CERTIFICATE_NOT_TRUSTED, ResultType.CERTIFICATE_HOST_MISMATCH, ResultType.SUCCESS);
    }

    private static void assertSession(TlsSession session, String domain, ResultType result, String reason) {
        assertSession(session, domain, result, reason, Evidence.TLS_LOG);
    }

    private static void assertSession(TlsSession session, String domain, ResultType result, String reason,
                                      Evidence evidence) {
        assertThat(session.policyDomain()).isEqualTo(domain);
        assertThat(session.mxHost()).isEqualTo("127.0.0.1");
        assertThat(session.mxIp()).isEqualTo("127.0.0.1");
        assertThat(session.result()).isEqualTo(result);
        assertThat(session.failureReasonCode()).isEqualTo(reason);
        assertThat(session.evidence()).isEqualTo(evidence);
    }

    @Test
    void daneSenderSessionsAreClassifiedPerMxHost() throws IOException {
        List<TlsSession> sessions = sessionsOf("o-dane.log");

        assertThat(sessions).extracting(TlsSession::policyDomain, TlsSession::mxHost, TlsSession::result)
                .containsExactlyInAnyOrder(
                        tuple("ee.dane.test", "mx.ee.dane.test", ResultType.SUCCESS),
                        tuple("mismatch.dane.test", "mx.mismatch.dane.test", ResultType.TLSA_INVALID),
                        tuple("mismatch.dane.test", "mx.mismatch.dane.test", ResultType.TLSA_INVALID),
                        tuple("selfsigned.dane.test", "mx.selfsigned.dane.test", ResultType.SUCCESS),
                        tuple("sts.dane.test", "mx.sts.dane.test", ResultType.SUCCESS),
                        tuple("ta.dane.test", "mx.ta.dane.test", ResultType.SUCCESS),
                        tuple("expired.dane.test", "mx.expired.dane.test", ResultType.SUCCESS),
                        tuple("sts.unsigned.test", "mx.sts.unsigned.test", ResultType.SUCCESS),
                        tuple("tlsa.bogus.test", "mx.tlsa.bogus.test", ResultType.DNSSEC_INVALID),
                        tuple("nostarttls.dane.test", "mx.nostarttls.dane.test", ResultType.STARTTLS_NOT_SUPPORTED));
        TlsSession mismatch = sessions.stream().filter(s -> s.result() == ResultType.TLSA_INVALID).findFirst()
                .orElseThrow();
        assertThat(mismatch.failureReasonCode()).isEqualTo("num=65:no matching DANE TLSA records");
        assertThat(mismatch.mxIp()).isEqualTo("127.0.1.34");
        TlsSession bogus = sessions.stream().filter(s -> s.result() == ResultType.DNSSEC_INVALID).findFirst()
                .orElseThrow();
        assertThat(bogus.failureReasonCode()).isEqualTo("TLSA lookup error for mx.tlsa.bogus.test:25");
        assertThat(bogus.mxIp()).isNull();
        assertThat(bogus.recipient()).isNull();
    }

    @Test
    void daneOnlyWithoutValidatedTlsaIsDaneRequired() throws IOException {
        assertThat(sessionsOf("p-dane-only.log"))
                .extracting(TlsSession::policyDomain, TlsSession::mxHost, TlsSession::result,
                        TlsSession::failureReasonCode)
                .containsExactly(
                        tuple("sts.dane.test", "mx.sts.dane.test", ResultType.DANE_REQUIRED, "no TLSA records found"),
                        tuple("good.test", "mx.good.test", ResultType.DANE_REQUIRED, "non DNSSEC destination"),
                        tuple("ee.dane.test", "mx.ee.dane.test", ResultType.SUCCESS, null));
    }

    @Test
    void aPolicyLookupWarningWithoutDaneReasonMakesNoSession() throws IOException {
        assertThat(sessionsOf("k-policy-PERM.log")).noneMatch(s -> s.result() == ResultType.DANE_REQUIRED
                || s.result() == ResultType.DNSSEC_INVALID);
    }

    private static TlsSession single(String file) throws IOException {
        List<TlsSession> sessions = sessionsOf(file);
        assertThat(sessions).as(file).hasSize(1);
        return sessions.get(0);
    }

    static List<TlsSession> sessionsOf(String file) throws IOException {
        return track(lines(file));
    }

    private static List<TlsSession> track(List<String> lines) {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC, CAPTURE_DAY);
        LineStats stats = new LineStats(3);
        SessionTracker tracker = new SessionTracker(session -> false, 1000, Duration.ofHours(1));
        List<TlsSession> sessions = new ArrayList<>();
        for (String text : lines) {
            LogLine line = stats.record(parser.parse(text), text);
            if (line != null) {
                tracker.accept(line, sessions::add);
            }
        }
        tracker.finish(sessions::add);
        return sessions;
    }

    static List<String> lines(String file) throws IOException {
        try (InputStream in = RealPostfixLogsTest.class.getResourceAsStream("/postfix/" + file)) {
            if (in == null) {
                throw new IOException("missing test resource /postfix/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
