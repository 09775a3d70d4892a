package io.github.mtasts.tlsrpt.sessions;

import io.github.mtasts.tlsrpt.logs.LogLine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class SessionTrackerTest {
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    private final List<TlsSession> sessions = new ArrayList<>();

    private static LogLine line(int pid, long second, String message) {
        return new LogLine(T0.plusSeconds(second), "mail", "postfix", "smtp", pid, message);
    }

    private static SessionTracker tracker() {
        return new SessionTracker(session -> false, 100, Duration.ofMinutes(30));
    }

    @Test
    void reusedConnectionIsNotANewSession() {
        SessionTracker tracker = tracker();
        tracker.accept(line(1, 0, "Verified TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3 with cipher X"), sessions::add);
        tracker.accept(line(1, 1, "AAA111: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(1, 5, "Verified TLS connection reused to mx.example.com[192.0.2.1]:25: TLSv1.3 with cipher X"), sessions::add);
        tracker.accept(line(1, 6, "BBB222: to=<b@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"), sessions::add);

        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).queueId()).isEqualTo("AAA111");
        assertThat(tracker.reusedConnections()).isEqualTo(1);
    }

    @Test
    void secondRecipientOverTheSameConnectionIsTheSameSession() {
        SessionTracker tracker = tracker();
        tracker.accept(line(1, 0, "Trusted TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.2"), sessions::add);
        tracker.accept(line(1, 1, "AAA111: to=<a@Example.COM>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(1, 1, "AAA111: to=<b@other.example>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.policyDomain()).isEqualTo("example.com");
            assertThat(session.recipient()).isEqualTo("a@Example.COM");
            assertThat(session.result()).isEqualTo(ResultType.SUCCESS);
        });
    }

    @Test
    void processesAreTrackedSeparately() {
        SessionTracker tracker = tracker();
        tracker.accept(line(1, 0, "certificate verification failed for mx.a.example[192.0.2.1]:25: untrusted issuer /CN=Evil CA"), sessions::add);
        tracker.accept(line(2, 0, "Verified TLS connection established to mx.b.example[192.0.2.2]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(1, 0, "Untrusted TLS connection established to mx.a.example[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(2, 1, "B1: to=<x@b.example>, relay=mx.b.example[192.0.2.2]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(1, 1, "A1: to=<x@a.example>, relay=mx.a.example[192.0.2.1]:25, dsn=4.7.5, status=deferred (Server certificate not trusted)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::policyDomain, TlsSession::result, TlsSession::failureReasonCode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("b.example", ResultType.SUCCESS, null),
                        org.assertj.core.groups.Tuple.tuple("a.example", ResultType.CERTIFICATE_NOT_TRUSTED,
                                "untrusted issuer /CN=Evil CA"));
    }

    @Test
    void tlsrptLineIsAuthoritativeAndTakesTheRecipientOfItsDelivery() {
        SessionTracker tracker = tracker();
        tracker.accept(line(7, 0, "Untrusted TLS connection established to mail.example.net[198.51.100.9]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(7, 0, "TLSRPT: status=failure, domain=Example.NET, receiving_mx=mail.example.net[198.51.100.9], failure_type=validation_failure, failure_reason=self-signed_certificate"), sessions::add);
        tracker.accept(line(7, 1, "Q1: to=<u@example.net>, relay=mail.example.net[198.51.100.9]:25, dsn=4.7.5, status=deferred (Server certificate not verified)"), sessions::add);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.evidence()).isEqualTo(Evidence.TLSRPT_LINE);
            assertThat(session.policyDomain()).isEqualTo("example.net");
            assertThat(session.result()).isEqualTo(ResultType.VALIDATION_FAILURE);
            assertThat(session.failureReasonCode()).isEqualTo("self-signed_certificate");
            assertThat(session.queueId()).isEqualTo("Q1");
            assertThat(session.recipient()).isEqualTo("u@example.net");
            assertThat(session.mxIp()).isEqualTo("198.51.100.9");
            assertThat(session.time()).isEqualTo(T0);
        });
    }

    @Test
    void noStarttlsReportedByATlsrptLineIsOneSessionWithPostfixsVerdict() {
        // Postfix 3.11.6, captured: the TLSRPT line, then the deferral that names the missing STARTTLS
        SessionTracker tracker = tracker();
        tracker.accept(line(7, 0, "TLSRPT: status=failure, domain=nostarttls.test, receiving_mx=mx.nostarttls.test[127.0.0.4], failure_type=starttls_not_supported"), sessions::add);
        tracker.accept(line(7, 0, "B643821CA2B: to=<rcpt@nostarttls.test>, relay=mx.nostarttls.test[127.0.0.4]:25, delay=0.01, delays=0/0/0.01/0, tls=!secure, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.nostarttls.test[127.0.0.4])"), sessions::add);
        tracker.finish(sessions::add);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.evidence()).isEqualTo(Evidence.TLSRPT_LINE);
            assertThat(session.result()).isEqualTo(ResultType.STARTTLS_NOT_SUPPORTED);
            assertThat(session.queueId()).isEqualTo("B643821CA2B");
        });
    }

    @Test
    void aTlsrptVerdictPostfixCouldNotSendIsMarkedSo() {
        SessionTracker tracker = tracker();
        tracker.accept(line(7, 0, "TLSRPT: status=success, domain=ok.test, receiving_mx=mx.ok.test[127.0.0.2]"), sessions::add);
        tracker.accept(line(7, 0, "warning: Could not report TLS handshake result to tlsrpt library: Connection refused (errno 111)"), sessions::add);
        tracker.accept(line(7, 0, "3A88B21A412: to=<rcpt@ok.test>, relay=mx.ok.test[127.0.0.2]:25, delay=0.01, delays=0/0/0/0, tls=secure, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 3CB8121A413)"), sessions::add);
        tracker.accept(line(7, 2, "TLSRPT: status=success, domain=ok.test, receiving_mx=mx.ok.test[127.0.0.2]"), sessions::add);
        tracker.accept(line(7, 2, "7DAB321A312: to=<rcpt@ok.test>, relay=mx.ok.test[127.0.0.2]:25, delay=0.05, tls=secure, dsn=2.0.0, status=sent (250 2.0.0 Ok)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::evidence)
                .containsExactly(Evidence.TLSRPT_LINE_NOT_SENT, Evidence.TLSRPT_LINE);
    }

    @Test
    void tlsrptVerdictWithoutDeliveryIsEmittedWhenTheProcessIsForgotten() {
        SessionTracker tracker = tracker();
        tracker.accept(line(7, 0, "TLSRPT: status=success, domain=nwex.de, receiving_mx=mail.nwex.de[2a01:4f8:222:1548::]"), sessions::add);
        assertThat(sessions).isEmpty();
        tracker.finish(sessions::add);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.result()).isEqualTo(ResultType.SUCCESS);
            assertThat(session.mxHost()).isEqualTo("mail.nwex.de");
            assertThat(session.mxIp()).isEqualTo("2a01:4f8:222:1548::");
            assertThat(session.queueId()).isNull();
        });
    }

    @Test
    void handshakeErrorIsValidationFailureWithTheErrorAsReason() {
        SessionTracker tracker = tracker();
        tracker.accept(line(3, 0, "SSL_connect error to mx.example.org[192.0.2.5]:25: lost connection"), sessions::add);
        tracker.accept(line(3, 0, "Q2: Cannot start TLS: handshake failure"), sessions::add);
        tracker.accept(line(3, 0, "Q2: to=<u@example.org>, relay=mx.example.org[192.0.2.5]:25, delay=1, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)"), sessions::add);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.result()).isEqualTo(ResultType.VALIDATION_FAILURE);
            assertThat(session.failureReasonCode()).isEqualTo("SSL_connect error: lost connection");
        });
    }

    @Test
    void cannotStartTlsWithoutEarlierLinesIsHandshakeFailure() {
        SessionTracker tracker = tracker();
        tracker.accept(line(3, 0, "Q3: to=<u@example.net>, relay=mx.example.net[192.0.2.10]:25, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)"), sessions::add);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.result()).isEqualTo(ResultType.VALIDATION_FAILURE);
            assertThat(session.failureReasonCode()).isEqualTo("Cannot start TLS: handshake failure");
        });
    }

    @Test
    void refusedStarttlsIsStarttlsNotSupported() {
        SessionTracker tracker = tracker();
        tracker.accept(line(3, 0, "Q4: to=<u@example.net>, relay=mx.example.net[192.0.2.10]:25, dsn=4.7.4, status=deferred (TLS is required, but host mx.example.net[192.0.2.10] refused to start TLS: 454 4.7.0 TLS not available)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::result).containsExactly(ResultType.STARTTLS_NOT_SUPPORTED);
    }

    @Test
    void deliveryWithoutConnectionIsNoSession() {
        SessionTracker tracker = tracker();
        tracker.accept(line(3, 0, "Q5: to=<u@kdu.nrw>, relay=none, delay=80046, dsn=4.7.5, status=deferred (client TLS configuration problem)"), sessions::add);
        tracker.accept(line(3, 0, "Q6: to=<u@example.org>, relay=none, delay=30, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.1]:25: Connection refused)"), sessions::add);

        assertThat(sessions).isEmpty();
        assertThat(tracker.trackedProcesses()).isZero();
    }

    @Test
    void plaintextDeferralIsNotGuessedToBeASession() {
        SessionTracker tracker = tracker();
        tracker.accept(line(3, 0, "Q7: to=<u@example.org>, relay=mx.example.org[192.0.2.1]:25, dsn=4.4.2, status=deferred (lost connection with mx.example.org[192.0.2.1] while receiving the initial server greeting)"), sessions::add);

        assertThat(sessions).isEmpty();
    }

    @Test
    void ownReportMailIsCountedAndDropped() {
        Predicate<TlsSession> reportMail = session -> "tlsrpt@example.com".equals(session.recipient());
        SessionTracker tracker = new SessionTracker(reportMail, 100, Duration.ofMinutes(30));
        tracker.accept(line(1, 0, "Verified TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(1, 1, "R1: to=<tlsrpt@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(2, 0, "Verified TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(2, 1, "M1: to=<alice@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::queueId).containsExactly("M1");
        assertThat(tracker.ownReportSessions()).isEqualTo(1);
        assertThat(tracker.sessions()).isEqualTo(1);
    }

    @Test
    void processesBeyondTheLimitAreEvictedLeastRecentlySeenFirst() {
        SessionTracker tracker = new SessionTracker(session -> false, 3, Duration.ofDays(1));
        for (int pid = 1; pid <= 10; pid++) {
            tracker.accept(line(pid, pid, "setting up TLS connection to mx.example.com[192.0.2.1]:25"), sessions::add);
        }
        assertThat(tracker.trackedProcesses()).isEqualTo(3);
        assertThat(tracker.evictedProcesses()).isEqualTo(7);

        // pid 10 is still tracked: its handshake result joins its delivery line.
        tracker.accept(line(10, 11, "Verified TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(10, 12, "Q: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        assertThat(sessions).extracting(TlsSession::result).containsExactly(ResultType.SUCCESS);
    }

    @Test
    void processSilentLongerThanMaxIdleIsForgotten() {
        SessionTracker tracker = new SessionTracker(session -> false, 100, Duration.ofMinutes(30));
        tracker.accept(line(1, 0, "certificate verification failed for mx.example.com[192.0.2.1]:25: self-signed certificate"), sessions::add);
        tracker.accept(line(2, 29 * 60, "setting up TLS connection to mx.other.example[192.0.2.2]:25"), sessions::add);
        assertThat(tracker.trackedProcesses()).isEqualTo(2);

        tracker.accept(line(2, 31 * 60, "setting up TLS connection to mx.other.example[192.0.2.2]:25"), sessions::add);
        assertThat(tracker.trackedProcesses()).isEqualTo(1);
        assertThat(tracker.evictedProcesses()).isEqualTo(1);

        // A late delivery line of the forgotten process can no longer be tied to its failed handshake.
        tracker.accept(line(1, 31 * 60, "Q: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=4.7.5, status=deferred (Server certificate not verified)"), sessions::add);
        assertThat(sessions).isEmpty();
    }

    @Test
    void untrustedConnectionThatDeliveredIsUnauthenticatedOpportunisticTls() {
        SessionTracker tracker = tracker();
        tracker.accept(line(1, 0, "Untrusted TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(1, 1, "A: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(2, 2, "Anonymous TLS connection established to mx.example.net[192.0.2.2]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(2, 3, "B: to=<b@example.net>, relay=mx.example.net[192.0.2.2]:25, dsn=4.4.2, status=deferred (lost connection with mx.example.net[192.0.2.2] while sending end of data)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::result, TlsSession::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ResultType.CERTIFICATE_NOT_TRUSTED, Evidence.UNAUTHENTICATED_TLS),
                org.assertj.core.groups.Tuple.tuple(ResultType.CERTIFICATE_NOT_TRUSTED, Evidence.UNAUTHENTICATED_TLS));
    }

    @Test
    void untrustedConnectionRefusedForItsCertificateIsAnAuthenticationFailure() {
        SessionTracker tracker = tracker();
        // no verification line (smtp_tls_loglevel 0 logs none), but the level required a verified certificate
        tracker.accept(line(1, 0, "Untrusted TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(1, 1, "A: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=4.7.5, status=deferred (Server certificate not verified)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::result, TlsSession::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ResultType.CERTIFICATE_NOT_TRUSTED, Evidence.TLS_LOG));
    }

    @Test
    void sameProcessNewHandshakeStartsANewSession() {
        SessionTracker tracker = tracker();
        tracker.accept(line(1, 0, "Verified TLS connection established to mx1.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(1, 1, "A: to=<a@example.com>, relay=mx1.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(1, 2, "server certificate verification failed for mx1.example.com[192.0.2.1]:25: certificate has expired"), sessions::add);
        tracker.accept(line(1, 2, "Untrusted TLS connection established to mx1.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(1, 3, "B: to=<b@example.com>, relay=mx1.example.com[192.0.2.1]:25, dsn=4.7.5, status=deferred (Server certificate not verified)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::queueId, TlsSession::result).containsExactly(
                org.assertj.core.groups.Tuple.tuple("A", ResultType.SUCCESS),
                org.assertj.core.groups.Tuple.tuple("B", ResultType.CERTIFICATE_EXPIRED));
    }

    @Test
    void linesOfOtherProgramsAreIgnored() {
        SessionTracker tracker = tracker();
        tracker.accept(new LogLine(T0, "mail", "postfix", "smtpd", 9,
                "Anonymous TLS connection established from client.example[192.0.2.9]: TLSv1.3"), sessions::add);
        tracker.accept(new LogLine(T0, "mail", "postfix", "qmgr", 8,
                "Q: from=<a@example.com>, size=1, nrcpt=1 (queue active)"), sessions::add);

        assertThat(sessions).isEmpty();
        assertThat(tracker.trackedProcesses()).isZero();
    }

    @Test
    void trustedChainWithUnverifiedNameIsHostMismatch() {
        SessionTracker tracker = tracker();
        tracker.accept(line(4, 0, "Trusted TLS connection established to in1-smtp.messagingengine.com[66.111.4.74]:25: TLSv1.2 with cipher X"), sessions::add);
        tracker.accept(line(4, 8, "D33A02504112: to=<u@fastmail.example>, relay=in1-smtp.messagingengine.com[66.111.4.74]:25, delay=8.4, dsn=4.7.5, status=deferred (Server certificate not verified)"), sessions::add);

        assertThat(sessions).singleElement().satisfies(session -> {
            assertThat(session.result()).isEqualTo(ResultType.CERTIFICATE_HOST_MISMATCH);
            assertThat(session.failureReasonCode()).isEqualTo("Server certificate not verified");
        });
    }

    @Test
    void tlsFeatureStatusDecidesWhetherADeliveryWithoutTlsLinesWasPlaintext() {
        SessionTracker tracker = tracker();
        tracker.accept(line(5, 0, "Q1: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, tls=may, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(6, 0, "Q2: to=<a@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=1, tls=may:none, dsn=2.0.0, status=sent (250 ok)"), sessions::add);
        tracker.accept(line(7, 0, "Q3: to=<a@example.net>, relay=mx.example.net[192.0.2.3]:25, delay=1, dsn=2.0.0, status=sent (250 ok)"), sessions::add);

        assertThat(sessions).extracting(TlsSession::queueId, TlsSession::result, TlsSession::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Q2", ResultType.STARTTLS_NOT_SUPPORTED, Evidence.PLAINTEXT_DELIVERY),
                org.assertj.core.groups.Tuple.tuple("Q3", ResultType.STARTTLS_NOT_SUPPORTED, Evidence.PLAINTEXT_DELIVERY));
    }

    @Test
    void sessionWithoutRecipientDomainIsCountedNotEmitted() {
        SessionTracker tracker = tracker();
        tracker.accept(line(8, 0, "Verified TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3"), sessions::add);
        tracker.accept(line(8, 1, "Q: to=<root>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok)"), sessions::add);

        assertThat(sessions).isEmpty();
        assertThat(tracker.withoutRecipientDomain()).isEqualTo(1);
        assertThat(tracker.sessions()).isZero();
    }

    @Test
    void oldestPendingOffsetIsTheFirstLineOfTheOldestTrackedConnection() {
        SessionTracker tracker = tracker();
        assertThat(tracker.oldestPendingOffset()).isEqualTo(Long.MAX_VALUE);
        tracker.accept(line(1, 0, "Verified TLS connection established to mx.a.example[192.0.2.1]:25: TLSv1.3"),
                100, sessions::add);
        tracker.accept(line(2, 1, "Untrusted TLS connection established to mx.b.example[192.0.2.2]:25: TLSv1.3"),
                200, sessions::add);
        assertThat(tracker.oldestPendingOffset()).isEqualTo(100);
        tracker.accept(line(1, 2, "Q1: to=<u@a.example>, relay=mx.a.example[192.0.2.1]:25, delay=1,"
                + " dsn=2.0.0, status=sent (250 ok)"), 300, sessions::add);
        // delivered, but later deliveries over the same connection still need its state
        assertThat(tracker.oldestPendingOffset()).isEqualTo(100);
        tracker.accept(line(1, 3, "Verified TLS connection established to mx.c.example[192.0.2.3]:25: TLSv1.3"),
                400, sessions::add);
        assertThat(tracker.oldestPendingOffset()).isEqualTo(200);
        tracker.finish(sessions::add);
        assertThat(tracker.oldestPendingOffset()).isEqualTo(Long.MAX_VALUE);
        assertThat(sessions).hasSize(1);
    }
}
