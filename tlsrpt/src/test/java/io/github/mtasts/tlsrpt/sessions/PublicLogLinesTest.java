package io.github.mtasts.tlsrpt.sessions;

import io.github.mtasts.tlsrpt.logs.LineStats;
import io.github.mtasts.tlsrpt.logs.LogLine;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.RejectReason;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * The collection of Postfix TLS log lines from public sources (issues, forums, documentation, other parsers'
 * test corpora), comments and fragments included: everything is parsed or counted, nothing throws, and the
 * only complete sessions in it are found.
 */
class PublicLogLinesTest {

    @Test
    void publicLinesParseWithExactCountsAndYieldTheirSessions() throws IOException {
        List<String> texts = RealPostfixLogsTest.lines("public-log-lines.txt");
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC,
                Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC));
        LineStats stats = new LineStats(3);
        SessionTracker tracker = new SessionTracker(session -> false, 1000, Duration.ofHours(1));
        List<TlsSession> sessions = new ArrayList<>();
        for (String text : texts) {
            LogLine line = stats.record(parser.parse(text), text);
            if (line != null) {
                tracker.accept(line, sessions::add);
            }
        }
        tracker.finish(sessions::add);

        assertThat(texts).hasSize(228);
        // 39 syslog lines with timestamp; the rest are comments, blank lines and bare messages without a header.
        assertThat(stats.parsed()).isEqualTo(39);
        assertThat(stats.rejected(RejectReason.EMPTY)).isEqualTo(54);
        assertThat(stats.rejected(RejectReason.BAD_TIMESTAMP)).isEqualTo(135);
        assertThat(stats.rejectedTotal()).isEqualTo(228 - 39);
        assertThat(stats.samples(RejectReason.BAD_TIMESTAMP)).hasSize(3);

        // Only the Postfix 3.10 TLSRPT lines give a session: the other delivery lines lack a usable recipient
        // domain (mangled by the source) or are 3.11 examples with tls=may, which is not plaintext.
        assertThat(sessions).extracting(TlsSession::policyDomain, TlsSession::mxHost, TlsSession::mxIp,
                        TlsSession::result, TlsSession::evidence, TlsSession::queueId)
                .containsExactly(
                        tuple("nwex.de", "mail.nwex.de", "2a01:4f8:222:1548::", ResultType.SUCCESS,
                                Evidence.TLSRPT_LINE, "317123EE1029"),
                        tuple("mpi-klsb.mpg.de", "u04mx01.mp", null, ResultType.SUCCESS, Evidence.TLSRPT_LINE,
                                null));
    }
}
