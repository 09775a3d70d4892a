package io.github.mtasts.tlsrpt.logs;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class LineStatsTest {
    private final LogLineParser parser = new LogLineParser(ZoneOffset.UTC,
            Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC));

    private LogLine record(LineStats stats, String text) {
        return stats.record(parser.parse(text), text);
    }

    @Test
    void countsByReasonAndKeepsOnlyTheFirstSamples() {
        LineStats stats = new LineStats(2);
        assertThat(record(stats, "Nov 29 01:37:57 mx postfix/smtp[1]: ok")).isNotNull();
        assertThat(record(stats, "garbage one")).isNull();
        record(stats, "garbage two");
        record(stats, "garbage three");
        record(stats, "");

        assertThat(stats.parsed()).isEqualTo(1);
        assertThat(stats.rejected(RejectReason.BAD_TIMESTAMP)).isEqualTo(3);
        assertThat(stats.rejected(RejectReason.EMPTY)).isEqualTo(1);
        assertThat(stats.rejected(RejectReason.OVERSIZE)).isZero();
        assertThat(stats.rejectedTotal()).isEqualTo(4);
        assertThat(stats.samples(RejectReason.BAD_TIMESTAMP)).containsExactly("garbage one", "garbage two");
    }

    @Test
    void samplesAreShortAndPrintable() {
        LineStats stats = new LineStats(1);
        record(stats, "\u0000\u0007bin\u001b" + "y".repeat(100_000));

        String sample = stats.samples(RejectReason.OVERSIZE).get(0);
        assertThat(sample).hasSize(LineStats.SAMPLE_LENGTH).startsWith("??bin?yyy");
    }
}
