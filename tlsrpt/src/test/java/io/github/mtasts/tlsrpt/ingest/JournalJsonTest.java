package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.tlsrpt.logs.LogLine;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.ParseResult;
import io.github.mtasts.tlsrpt.logs.RejectReason;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Entries as {@code journalctl -o json} (systemd 252) prints them for Postfix's syslog messages. */
class JournalJsonTest {
    private final JournalJson journal = new JournalJson();

    private static List<String> fixture() throws IOException {
        try (InputStream in = JournalJsonTest.class.getResourceAsStream("/journal/postfix-smtp.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void entryBecomesTheLogLineTheTextParserMakesOfTheSameSyslogLine() throws IOException {
        JournalJson.Entry entry = journal.parse(fixture().get(0));

        LogLine fromText = ((ParseResult.Parsed) new LogLineParser(ZoneOffset.UTC,
                Clock.fixed(Instant.parse("2022-11-29T02:00:00Z"), ZoneOffset.UTC)).parse(
                "2022-11-29T01:37:58.123456+00:00 sender postfix/smtp[21117]: Verified TLS connection established to"
                        + " mx.d.example.test[192.0.2.30]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"))
                .line();
        assertThat(entry.result()).isEqualTo(new ParseResult.Parsed(fromText));
        assertThat(entry.cursor()).map(JournalCursor::seqnum).contains(0x4ece7L);
        assertThat(fromText.time()).isEqualTo(Instant.parse("2022-11-29T01:37:58.123456Z"));
    }

    @Test
    void messageThatIsNotUtf8ComesAsByteArrayAndIsDecodedWithReplacement() throws IOException {
        LogLine line = ((ParseResult.Parsed) journal.parse(fixture().get(1)).result()).line();
        assertThat(line.message()).isEqualTo("8C291216058: to=<user\uFFFD@d.example.test>");
        assertThat(line.syslogName()).isEqualTo("postfix-out");
        assertThat(line.service()).isEqualTo("smtp");
        assertThat(line.pid()).isEqualTo(21118);
    }

    @Test
    void messageTooLargeForJournalctlIsOversizeAndKeepsItsCursor() throws IOException {
        JournalJson.Entry entry = journal.parse(fixture().get(2));
        assertThat(entry.result()).isEqualTo(new ParseResult.Rejected(RejectReason.OVERSIZE));
        assertThat(entry.cursor()).map(JournalCursor::seqnum).contains(0x4ece9L);
    }

    @Test
    void entryWithoutIdentifierOrPidIsAMissingTag() throws IOException {
        assertThat(journal.parse(fixture().get(3)).result())
                .isEqualTo(new ParseResult.Rejected(RejectReason.MISSING_TAG));
    }

    @Test
    void multiValuedFieldTakesItsFirstValue() {
        String json = "{\"__CURSOR\":\"s=1;i=2;b=3;m=4;t=5\",\"__REALTIME_TIMESTAMP\":\"1000001\","
                + "\"_HOSTNAME\":\"mx\",\"SYSLOG_IDENTIFIER\":[\"postfix/smtp\",\"other\"],\"_PID\":\"7\","
                + "\"MESSAGE\":[[104,105],\"second\"]}";
        LogLine line = ((ParseResult.Parsed) journal.parse(json).result()).line();
        assertThat(line.message()).isEqualTo("hi");
        assertThat(line.program()).isEqualTo("postfix/smtp");
        assertThat(line.time()).isEqualTo(Instant.ofEpochSecond(1, 1_000));
    }

    @Test
    void linesThatAreNotJournalEntriesAreRejectedWithoutACursor() {
        for (String bad : List.of("Nov 29 01:37:58 sender postfix/smtp[1]: text", "[1,2]", "{\"MESSAGE\":\"x\"}",
                "{\"__CURSOR\":\"garbage\",\"MESSAGE\":\"x\"}", "{\"__CURSOR\":")) {
            JournalJson.Entry entry = journal.parse(bad);
            assertThat(entry.result()).as(bad).isEqualTo(new ParseResult.Rejected(RejectReason.BAD_JOURNAL_ENTRY));
            assertThat(entry.cursor()).as(bad).isEmpty();
        }
    }

    @Test
    void missingTimestampOrHostIsRejectedAsTheTextParserWould() {
        String noTime = "{\"__CURSOR\":\"s=1;i=2;b=3;m=4;t=5\",\"_HOSTNAME\":\"mx\",\"SYSLOG_IDENTIFIER\":\"postfix/smtp\","
                + "\"_PID\":\"7\",\"MESSAGE\":\"m\"}";
        String noHost = "{\"__CURSOR\":\"s=1;i=2;b=3;m=4;t=5\",\"__REALTIME_TIMESTAMP\":\"1\","
                + "\"SYSLOG_IDENTIFIER\":\"postfix/smtp\",\"_PID\":\"7\",\"MESSAGE\":\"m\"}";
        assertThat(journal.parse(noTime).result()).isEqualTo(new ParseResult.Rejected(RejectReason.BAD_TIMESTAMP));
        assertThat(journal.parse(noHost).result()).isEqualTo(new ParseResult.Rejected(RejectReason.MISSING_HOST));
    }
}
