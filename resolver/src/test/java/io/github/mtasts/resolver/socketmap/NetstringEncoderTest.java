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
