package io.github.mtasts.tlsrpt.ingest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalCursorTest {
    private static final String S1 = "0b4c2a3e1c3f4f9c9d0f1b2a3c4d5e6f";
    private static final String S2 = "77777777777777777777777777777777";
    private static final String B1 = "5f6e7d8c9b0a41b2a3c4d5e6f7a8b9c0";
    private static final String B2 = "11111111111111111111111111111111";

    private static JournalCursor cursor(String s, long i, String b, long m, long t) {
        return JournalCursor.parse("s=" + s + ";i=" + Long.toHexString(i) + ";b=" + b + ";m=" + Long.toHexString(m)
                + ";t=" + Long.toHexString(t) + ";x=9f8e7d6c5b4a3921");
    }

    @Test
    void parsesTheFieldsJournaldWritesAndKeepsTheText() {
        String text = "s=" + S1 + ";i=4ece7;b=" + B1 + ";m=2b3c4d5e;t=5ee4c6f0a1b2c;x=9f8e7d6c5b4a3921";
        JournalCursor cursor = JournalCursor.parse(text);
        assertThat(cursor.text()).isEqualTo(text);
        assertThat(cursor.seqnum()).isEqualTo(0x4ece7);
        assertThat(cursor.monotonic()).isEqualTo(0x2b3c4d5e);
        assertThat(cursor.realtime()).isEqualTo(0x5ee4c6f0a1b2cL);
    }

    @Test
    void sameSequenceNumberIdOrdersBySequenceNumberWhateverTheClocksSay() {
        JournalCursor earlier = cursor(S1, 10, B1, 500, 9_000);
        JournalCursor later = cursor(S1, 11, B2, 100, 1_000);
        assertThat(later.isAfter(earlier)).isTrue();
        assertThat(earlier.isAfter(later)).isFalse();
        assertThat(earlier.isAfter(earlier)).as("an entry is not after itself").isFalse();
    }

    @Test
    void otherJournalFilesOfOneBootOrderByMonotonicTimeThenOthersByWallClock() {
        assertThat(cursor(S2, 1, B1, 600, 1_000).isAfter(cursor(S1, 50, B1, 500, 9_000))).isTrue();
        assertThat(cursor(S2, 1, B2, 1, 9_001).isAfter(cursor(S1, 50, B1, 500, 9_000))).isTrue();
        assertThat(cursor(S2, 1, B2, 999, 8_999).isAfter(cursor(S1, 50, B1, 500, 9_000))).isFalse();
    }

    @Test
    void malformedCursorsAreRefusedWithTheirText() {
        assertThatThrownBy(() -> JournalCursor.parse("s=" + S1 + ";i=zz;b=" + B1 + ";m=1;t=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("i=zz");
        assertThatThrownBy(() -> JournalCursor.parse("s=" + S1 + ";i=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs s, i, b, m and t");
    }
}
