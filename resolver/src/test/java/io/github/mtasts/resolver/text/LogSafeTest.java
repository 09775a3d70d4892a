package io.github.mtasts.resolver.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void plainTextIsReturnedUnchanged() {
        String text = "Google Inc. report 2024-05-01T00:00:00Z_example.com mx1.example.net";
        assertThat(LogSafe.escape(text)).isSameAs(text);
    }

    @Test
    void newlinesAndAnsiEscapesBecomeVisibleEscapes() {
        assertThat(LogSafe.escape("Evil\nINFO forged line\r\u001b[31mred\t"))
                .isEqualTo("Evil\\nINFO forged line\\r\\x1b[31mred\\t")
                .doesNotContain("\n", "\r", "\u001b");
    }

    @Test
    void delC1LineSeparatorsAndBidiControlsAreEscaped() {
        assertThat(LogSafe.escape("a\u007fb\u0085c\u009bd\u2028e\u2029f\u202eg\u2066h\u200fi\ufeff"))
                .isEqualTo("a\\x7fb\\u0085c\\u009bd\\u2028e\\u2029f\\u202eg\\u2066h\\u200fi\\ufeff");
    }

    @Test
    void backslashIsDoubledSoAnEscapeInTheLogIsUnambiguous() {
        assertThat(LogSafe.escape("C:\\n")).isEqualTo("C:\\\\n");
    }

    @Test
    void nonAsciiLettersAreKept() {
        assertThat(LogSafe.escape("Ætherfjörð 例え.jp")).isEqualTo("Ætherfjörð 例え.jp");
    }

    @Test
    void longTextIsCappedNamingWhatWasLeftOut() {
        String escaped = LogSafe.escape("x".repeat(10_000));
        assertThat(escaped).startsWith("x".repeat(LogSafe.MAX_LENGTH))
                .endsWith("...(" + (10_000 - LogSafe.MAX_LENGTH) + " more chars)");
        assertThat(LogSafe.escape("abc\ndef", 4)).isEqualTo("abc\\n...(3 more chars)");
    }

    @Test
    void capDoesNotSplitASurrogatePair() {
        assertThat(LogSafe.escape("ab\ud83d\ude00cd", 3)).isEqualTo("ab...(4 more chars)");
    }

    @Test
    void nullAndObjectsAreWrittenAsText() {
        assertThat(LogSafe.escape(null)).isEqualTo("null");
        assertThat(LogSafe.escape(new StringBuilder("x\ny"))).isEqualTo("x\\ny");
    }
}
