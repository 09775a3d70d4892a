package io.github.mtasts.tlsrpt.logs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LineFramerTest {
    private static final SourceId ID = new SourceId("test:framer");
    private final List<SourceLine> lines = new ArrayList<>();

    private void feed(LineFramer framer, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        framer.feed(bytes, 0, bytes.length, lines::add);
    }

    @Test
    void completeLinesCarryTheOffsetAfterTheirNewline() {
        LineFramer framer = new LineFramer(ID, 100, 1000);
        feed(framer, "one\ntwo\r\nthree");

        assertThat(lines).containsExactly(
                new SourceLine(ID, "one", false, 1004),
                new SourceLine(ID, "two", false, 1009));
        assertThat(framer.committedOffset()).isEqualTo(1009);
        assertThat(framer.position()).isEqualTo(1014);
    }

    @Test
    void partialLineWaitsForItsNewlineAcrossFeeds() {
        LineFramer framer = new LineFramer(ID, 100, 0);
        feed(framer, "par");
        feed(framer, "tial");
        assertThat(lines).isEmpty();
        assertThat(framer.committedOffset()).isZero();
        feed(framer, " line\n");

        assertThat(lines).containsExactly(new SourceLine(ID, "partial line", false, 13));
    }

    @Test
    void overlongLineIsSkippedToItsNewlineAndReportedOversize() {
        LineFramer framer = new LineFramer(ID, 10, 0);
        feed(framer, "short\n");
        feed(framer, "x".repeat(5000));
        feed(framer, "y".repeat(5000) + "\nnext\n");

        assertThat(lines).containsExactly(
                new SourceLine(ID, "short", false, 6),
                new SourceLine(ID, "", true, 10_007),
                new SourceLine(ID, "next", false, 10_012));
    }

    @Test
    void flushPartialEmitsTheUnterminatedTail() {
        LineFramer framer = new LineFramer(ID, 100, 0);
        feed(framer, "a\nlast");
        framer.flushPartial(lines::add);
        framer.flushPartial(lines::add);

        assertThat(lines).containsExactly(new SourceLine(ID, "a", false, 2), new SourceLine(ID, "last", false, 6));
    }

    @Test
    void invalidUtf8IsReplacedNotFatal() {
        LineFramer framer = new LineFramer(ID, 100, 0);
        byte[] bytes = {'a', (byte) 0xff, (byte) 0xfe, 'b', '\n'};
        framer.feed(bytes, 0, bytes.length, lines::add);

        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line.text()).startsWith("a").endsWith("b").contains("\uFFFD");
            assertThat(line.endOffset()).isEqualTo(5);
        });
    }

    @Test
    void resetForgetsThePartialLine() {
        LineFramer framer = new LineFramer(ID, 100, 0);
        feed(framer, "old partial");
        framer.reset(0);
        feed(framer, "new\n");

        assertThat(lines).containsExactly(new SourceLine(ID, "new", false, 4));
    }
}
