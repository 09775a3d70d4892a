package io.github.mtasts.resolver.socketmap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class SocketmapRequestDecoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new SocketmapRequestDecoder());

    @Test
    void splitsMapNameFromKeyAtTheSpace() {
        assertThat(decode("postfix example.com")).isEqualTo(new SocketmapRequest("postfix", "example.com"));
    }

    @Test
    void splitsAtTheFirstSpaceOnlyKeepingTheRestInTheKey() {
        assertThat(decode("postfix a b ")).isEqualTo(new SocketmapRequest("postfix", "a b "));
    }

    @Test
    void emptyMapNameAndKeyArePassedOnForTheResponderToJudge() {
        assertThat(decode(" ")).isEqualTo(new SocketmapRequest("", ""));
    }

    @Test
    void utf8KeyIsDecoded() {
        assertThat(decode("postfix bücher.example")).isEqualTo(new SocketmapRequest("postfix", "bücher.example"));
    }

    @Test
    void invalidUtf8BecomesReplacementCharacterNotAnError() {
        channel.writeInbound(new byte[] {'p', ' ', 'a', (byte) 0xff});
        assertThat(channel.<Object>readInbound()).isEqualTo(new SocketmapRequest("p", "a\uFFFD"));
    }

    @Test
    void frameWithoutSpaceBecomesMalformedRequest() {
        assertThat(decode("example.com")).isEqualTo(new MalformedRequest("example.com"));
    }

    private Object decode(String payload) {
        channel.writeInbound((Object) payload.getBytes(UTF_8));
        return channel.readInbound();
    }
}
