package io.github.mtasts.tlsrpt.logs;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class LogLineParserTest {
    private static final Clock NOV_29 = Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC);

    private static LogLine parsed(LogLineParser parser, String text) {
        ParseResult result = parser.parse(text);
        assertThat(result).as(text).isInstanceOf(ParseResult.Parsed.class);
        return ((ParseResult.Parsed) result).line();
    }

    private static RejectReason rejected(LogLineParser parser, String text) {
        ParseResult result = parser.parse(text);
        assertThat(result).as(text).isInstanceOf(ParseResult.Rejected.class);
        return ((ParseResult.Rejected) result).reason();
    }

    private static LogLineParser utc(Clock clock) {
        return new LogLineParser(ZoneOffset.UTC, clock);
    }

    @Test
    void classicSyslogLineHasAllFields() {
        LogLine line = parsed(utc(NOV_29), "Nov 29 01:37:57 sender postfix-send/smtp[21117]: server certificate verification failed for x");
        assertThat(line).isEqualTo(new LogLine(Instant.parse("2026-11-29T01:37:57Z"), "sender", "postfix-send", "smtp",
                21117, "server certificate verification failed for x"));
    }

    @Test
    void classicDayMayBeSpacePaddedOrUnpadded() {
        assertThat(parsed(utc(NOV_29), "Feb  1 03:52:19 sixsigma postfix/smtp[8555]: m").time())
                .isEqualTo(Instant.parse("2026-02-01T03:52:19Z"));
        assertThat(parsed(utc(NOV_29), "Feb 1 03:52:19 sixsigma postfix/smtp[8555]: m").time())
                .isEqualTo(Instant.parse("2026-02-01T03:52:19Z"));
        assertThat(parsed(utc(NOV_29), "Feb 01 03:52:19 sixsigma postfix/smtp[8555]: m").time())
                .isEqualTo(Instant.parse("2026-02-01T03:52:19Z"));
    }

    @Test
    void decemberLineReadInJanuaryBelongsToLastYear() {
        Clock newYear = Clock.fixed(Instant.parse("2027-01-01T00:00:05Z"), ZoneOffset.UTC);
        assertThat(parsed(utc(newYear), "Dec 31 23:59:59 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
        assertThat(parsed(utc(newYear), "Jan  1 00:00:01 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2027-01-01T00:00:01Z"));
    }

    @Test
    void januaryLineReadJustBeforeNewYearByASlowClockBelongsToNextYear() {
        Clock slow = Clock.fixed(Instant.parse("2026-12-31T23:59:00Z"), ZoneOffset.UTC);
        assertThat(parsed(utc(slow), "Jan  1 00:00:30 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2027-01-01T00:00:30Z"));
    }

    @Test
    void backlogFromEarlierInTheYearKeepsThisYear() {
        assertThat(parsed(utc(NOV_29), "Mar  3 10:00:00 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-03-03T10:00:00Z"));
        assertThat(parsed(utc(NOV_29), "Dec 15 10:00:00 mx postfix/smtp[1]: m").time())
                .as("two weeks ahead of the clock: last year's")
                .isEqualTo(Instant.parse("2025-12-15T10:00:00Z"));
    }

    @Test
    void leapDayFindsItsLeapYear() {
        Clock march2029 = Clock.fixed(Instant.parse("2029-03-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(parsed(utc(march2029), "Feb 29 12:00:00 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2028-02-29T12:00:00Z"));
    }

    @Test
    void classicLocalTimeIsConvertedWithTheConfiguredZone() {
        LogLineParser berlin = new LogLineParser(ZoneId.of("Europe/Berlin"), NOV_29);
        assertThat(parsed(berlin, "Nov 29 01:37:57 mx postfix/smtp[1]: m").time())
                .as("CET is UTC+1 in November: the line belongs to the UTC day before")
                .isEqualTo(Instant.parse("2026-11-29T00:37:57Z"));
        assertThat(parsed(berlin, "Jul 27 23:55:10 helios postfix/smtp[56218]: m").time())
                .as("CEST is UTC+2")
                .isEqualTo(Instant.parse("2026-07-27T21:55:10Z"));
    }

    @Test
    void classicTimestampMayCarryAFraction() {
        assertThat(parsed(utc(NOV_29), "Nov 29 01:37:57.123456 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-11-29T01:37:57.123456Z"));
    }

    @Test
    void rsyslogHighPrecisionTimestampCarriesItsOffset() {
        LogLineParser berlin = new LogLineParser(ZoneId.of("Europe/Berlin"), NOV_29);
        assertThat(parsed(berlin, "2026-11-29T01:37:57.123456+01:00 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-11-29T00:37:57.123456Z"));
        assertThat(parsed(berlin, "2025-01-26T01:03:02.997382+00:00 mail postfix/smtp[27991]: m").time())
                .isEqualTo(Instant.parse("2025-01-26T01:03:02.997382Z"));
        assertThat(parsed(berlin, "2026-11-29T01:37:57Z mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-11-29T01:37:57Z"));
    }

    @Test
    void journalctlShortIsoAndPreciseOffsetsWithoutColon() {
        assertThat(parsed(utc(NOV_29), "2026-11-29T01:37:57+0100 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-11-29T00:37:57Z"));
        assertThat(parsed(utc(NOV_29), "2026-11-29T01:37:57.654321-0330 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-11-29T05:07:57.654321Z"));
    }

    @Test
    void isoTimestampWithoutOffsetIsLocalTime() {
        LogLineParser berlin = new LogLineParser(ZoneId.of("Europe/Berlin"), NOV_29);
        assertThat(parsed(berlin, "2026-11-29T01:37:57 mx postfix/smtp[1]: m").time())
                .isEqualTo(Instant.parse("2026-11-29T00:37:57Z"));
    }

    @Test
    void serviceIsTheLastComponentOfAnySyslogName() {
        LogLineParser parser = utc(NOV_29);
        LogLine submission = parsed(parser, "Sep  4 14:06:43 redmail postfix/submission/smtpd[1395622]: m");
        assertThat(submission.syslogName()).isEqualTo("postfix/submission");
        assertThat(submission.service()).isEqualTo("smtpd");
        assertThat(submission.program()).isEqualTo("postfix/submission/smtpd");
        LogLine out = parsed(parser, "Nov 29 01:37:57 mx postfix-out/smtp[7]: m");
        assertThat(out.syslogName()).isEqualTo("postfix-out");
        assertThat(out.service()).isEqualTo("smtp");
        LogLine daemon = parsed(parser, "Mar 18 01:17:30 sonne postfix-tlspol[2489749]: INFO  No policy found");
        assertThat(daemon.syslogName()).isEmpty();
        assertThat(daemon.service()).isEqualTo("postfix-tlspol");
        assertThat(daemon.message()).isEqualTo("INFO  No policy found");
    }

    @Test
    void emptyMessageIsKept() {
        assertThat(parsed(utc(NOV_29), "Nov 29 01:37:57 mx postfix/smtp[1]:").message()).isEmpty();
    }

    @Test
    void rejectionsNameTheFailingPart() {
        LogLineParser parser = utc(NOV_29);
        assertThat(rejected(parser, "")).isEqualTo(RejectReason.EMPTY);
        assertThat(rejected(parser, "   ")).isEqualTo(RejectReason.EMPTY);
        assertThat(rejected(parser, "postfix/smtp[1234]: Verified TLS connection established to x")).isEqualTo(RejectReason.BAD_TIMESTAMP);
        assertThat(rejected(parser, "01:37:50 recv b'24:postfix [127.0.0.1]:2525,'")).isEqualTo(RejectReason.BAD_TIMESTAMP);
        assertThat(rejected(parser, "Feb 30 10:00:00 mx postfix/smtp[1]: m")).isEqualTo(RejectReason.BAD_TIMESTAMP);
        assertThat(rejected(parser, "Nov 29 25:00:00 mx postfix/smtp[1]: m")).isEqualTo(RejectReason.BAD_TIMESTAMP);
        assertThat(rejected(parser, "2026-13-29T01:37:57Z mx postfix/smtp[1]: m")).isEqualTo(RejectReason.BAD_TIMESTAMP);
        assertThat(rejected(parser, "2026-11-29T01:37:57+99:00 mx postfix/smtp[1]: m")).isEqualTo(RejectReason.BAD_TIMESTAMP);
        assertThat(rejected(parser, "Nov 29 01:37:57 ")).isEqualTo(RejectReason.MISSING_HOST);
        assertThat(rejected(parser, "Nov 29 01:37:57 mx")).isEqualTo(RejectReason.MISSING_HOST);
        assertThat(rejected(parser, "Nov 29 01:37:57 mx posttls-finger: no pid")).isEqualTo(RejectReason.MISSING_TAG);
        assertThat(rejected(parser, "Nov 29 01:37:57 mx postfix/smtp[]: m")).isEqualTo(RejectReason.MISSING_TAG);
        assertThat(rejected(parser, "Nov 29 01:37:57 mx postfix/smtp[12345678901]: m")).isEqualTo(RejectReason.MISSING_TAG);
        assertThat(rejected(parser, "Nov 29 01:37:57 mx postfix/[1]: m")).isEqualTo(RejectReason.MISSING_TAG);
    }

    @Test
    void lineLongerThanTheLimitIsOversizeUnread() {
        LogLineParser parser = new LogLineParser(ZoneOffset.UTC, NOV_29, 64);
        String prefix = "Nov 29 01:37:57 mx postfix/smtp[1]: ";
        assertThat(parser.parse(prefix + "x".repeat(64 - prefix.length()))).isInstanceOf(ParseResult.Parsed.class);
        assertThat(rejected(parser, prefix + "x".repeat(65 - prefix.length()))).isEqualTo(RejectReason.OVERSIZE);
        assertThat(rejected(utc(NOV_29), prefix + "x".repeat(1 << 20))).isEqualTo(RejectReason.OVERSIZE);
    }

    @Test
    void binaryGarbageIsRejected() {
        byte[] bytes = new byte[4096];
        new java.util.Random(42).nextBytes(bytes);
        String garbage = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(utc(NOV_29).parse(garbage)).isInstanceOf(ParseResult.Rejected.class);
    }
}
