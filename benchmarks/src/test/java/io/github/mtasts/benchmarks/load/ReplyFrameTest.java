package io.github.mtasts.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyFrameTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int scan(String s) {
        byte[] b = bytes(s);
        return ReplyFrame.scan(b, 0, b.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9:NOTFOUND ,", "11:OK secure x,", "8:TEMP why,", "8:TIMEOUT ,", "8:PERM bad,"})
    void everySocketmapStatusIsAWellFormedReply(String reply) {
        assertThat(scan(reply)).isEqualTo(reply.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "12", "11:OK sec", "11:OK secure x"})
    void prefixesOfAReplyAreIncomplete(String partial) {
        assertThat(scan(partial)).isEqualTo(ReplyFrame.INCOMPLETE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x:OK ,", ":OK ,", "011:OK secure x,", "11:OK secure x;", "5:HELLO,", "2:OK,",
        "0:,", "9999999:OK ,"})
    void nonNetstringsAndUnknownStatusesAreMalformed(String reply) {
        assertThat(scan(reply)).isEqualTo(ReplyFrame.MALFORMED);
    }

    @Test
    void scanStopsAtTheEndOfTheFirstFrameAndHonoursTheOffset() {
        byte[] b = bytes("xx9:NOTFOUND ,3:OK ,");
        assertThat(ReplyFrame.scan(b, 2, b.length)).isEqualTo(12);
    }

    @Test
    void payloadPrefixIsComparedAfterTheLength() {
        byte[] b = bytes("11:OK secure x,");
        assertThat(ReplyFrame.payloadStartsWith(b, 0, b.length, bytes("OK secure"))).isTrue();
        assertThat(ReplyFrame.payloadStartsWith(b, 0, b.length, bytes("NOTFOUND"))).isFalse();
        assertThat(ReplyFrame.payloadStartsWith(b, 0, b.length, bytes("OK secure x and more"))).isFalse();
    }
}
