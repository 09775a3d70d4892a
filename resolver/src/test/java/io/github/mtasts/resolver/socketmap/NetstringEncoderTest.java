package io.github.mtasts.resolver.socketmap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class NetstringEncoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new NetstringEncoder());

    @Test
    void writesReplyAsNetstring() {
        assertThat(written("OK secure match=.example.com")).isEqualTo("28:OK secure match=.example.com,");
    }

    @Test
    void keepsTheTrailingSpaceOfNotFound() {
        assertThat(written("NOTFOUND ")).isEqualTo("9:NOTFOUND ,");
    }

    @Test
    void lengthCountsUtf8Bytes() {
        assertThat(written("PERM ü")).isEqualTo("7:PERM ü,");
    }

    @Test
    void lengthHasEveryDigitAcrossPowersOfTen() {
        for (int length : new int[] {0, 1, 9, 10, 99, 100, 1000, 65536}) {
            String payload = "x".repeat(length);
            assertThat(written(payload)).as("length %d", length).isEqualTo(length + ":" + payload + ",");
        }
    }

    @Test
    void longNonAsciiReplyIsWrittenWhole() {
        String reply = "PERM " + "ü€".repeat(300);

        assertThat(written(reply)).isEqualTo(reply.getBytes(UTF_8).length + ":" + reply + ",");
    }

    private String written(String reply) {
        channel.writeOutbound(reply);
        ByteBuf out = channel.readOutbound();
        try {
            return out.toString(UTF_8);
        } finally {
            out.release();
        }
    }
}
