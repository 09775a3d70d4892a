package io.github.mtasts.resolver.socketmap;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.mtasts.resolver.socketmap.NetstringException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NetstringDecoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new NetstringDecoder(16));

    @Test
    void netstringLeftUnfinishedPastTheFrameTimeoutFailsTimedOut() {
        EmbeddedChannel timed = new EmbeddedChannel(new NetstringDecoder(16, Duration.ofSeconds(10)));
        timed.writeInbound(ascii("11:postfix"));
        timed.advanceTimeBy(9, TimeUnit.SECONDS);
        timed.runScheduledPendingTasks();
        timed.writeInbound(ascii(" a.b,"));
        assertThat(timed.<byte[]>readInbound()).asString(US_ASCII).isEqualTo("postfix a.b");
        // the finished frame stopped the clock: nothing fails however long the connection now waits
        timed.advanceTimeBy(1, TimeUnit.HOURS);
        timed.runScheduledPendingTasks();
        timed.checkException();

        timed.writeInbound(ascii("3:ab"));
        timed.advanceTimeBy(10, TimeUnit.SECONDS);
        timed.runScheduledPendingTasks();

        DecoderException failure = catchThrowableOfType(timed::checkException, DecoderException.class);
        assertThat(failure.getCause()).isInstanceOfSatisfying(NetstringException.class,
                n -> assertThat(n.kind()).isEqualTo(Kind.TIMED_OUT));
    }

    @Test
    void frameSplitAcrossReadsIsEmittedOnceComplete() {
        assertThat(channel.writeInbound(ascii("11:postfix"))).isFalse();
        assertThat(channel.writeInbound(ascii(" a.b"))).isFalse();
        assertThat(channel.writeInbound(ascii(","))).isTrue();
        assertThat(frame()).isEqualTo("postfix a.b");
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Test
    void severalFramesInOneReadAreEmittedInOrder() {
        channel.writeInbound(ascii("1:a,2:bc,0:,3:d"));
        assertThat(frame()).isEqualTo("a");
        assertThat(frame()).isEqualTo("bc");
        assertThat(frame()).isEmpty();
        assertThat(channel.<Object>readInbound()).isNull();
        channel.writeInbound(ascii("ef,"));
        assertThat(frame()).isEqualTo("def");
    }

    @Test
    void frameInsideACompositeBufferIsDecoded() {
        ByteBuf composite = Unpooled.wrappedBuffer(ascii("3:a"), ascii("bc,"));
        channel.writeInbound(composite);
        assertThat(frame()).isEqualTo("abc");
    }

    @Test
    void badLengthPrefixIsRaised() {
        assertThat(malformation("x:abc,")).isEqualTo(Kind.BAD_LENGTH_PREFIX);
    }

    @Test
    void missingCommaIsRaised() {
        assertThat(malformation("3:abc;")).isEqualTo(Kind.MISSING_COMMA);
    }

    @Test
    void lengthAboveTheConstructorLimitIsOversize() {
        assertThat(malformation("17:")).isEqualTo(Kind.OVERSIZE);
    }

    @Test
    void endOfInputMidFrameIsTruncated() {
        channel.writeInbound(ascii("5:ab"));
        DecoderException e = catchThrowableOfType(DecoderException.class, channel::finish);
        assertThat(e.getCause()).isInstanceOfSatisfying(NetstringException.class,
                n -> assertThat(n.kind()).isEqualTo(Kind.TRUNCATED));
    }

    @Test
    void endOfInputBetweenFramesIsClean() {
        channel.writeInbound(ascii("1:a,"));
        assertThat(channel.finish()).isTrue();
        assertThat(frame()).isEqualTo("a");
    }

    @Test
    void inputAfterAMalformationIsDiscarded() {
        malformation("3:abcX1:a,");
        channel.writeInbound(ascii("1:b,"));
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Test
    void framesBeforeAMalformationInTheSameReadAreDelivered() {
        catchThrowableOfType(DecoderException.class, () -> channel.writeInbound(ascii("1:a,:")));
        assertThat(frame()).isEqualTo("a");
    }

    private Kind malformation(String input) {
        DecoderException e = catchThrowableOfType(DecoderException.class, () -> channel.writeInbound(ascii(input)));
        assertThat(e).as("decoding %s", input).isNotNull();
        assertThat(e.getCause()).isInstanceOf(NetstringException.class);
        return ((NetstringException) e.getCause()).kind();
    }

    private String frame() {
        byte[] frame = channel.readInbound();
        assertThat(frame).isNotNull();
        return new String(frame, US_ASCII);
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, US_ASCII);
    }
}
