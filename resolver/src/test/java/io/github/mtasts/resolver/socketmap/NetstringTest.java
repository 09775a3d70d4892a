package io.github.mtasts.resolver.socketmap;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.mtasts.resolver.socketmap.NetstringException.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class NetstringTest {

    @Test
    void encodesLengthColonPayloadComma() {
        assertThat(new String(Netstring.encode("postfix example.com"), US_ASCII))
                .isEqualTo("19:postfix example.com,");
    }

    @Test
    void encodesEmptyPayloadAsZero() {
        assertThat(new String(Netstring.encode(""), US_ASCII)).isEqualTo("0:,");
    }

    @Test
    void encodedLengthCountsUtf8BytesNotCharacters() {
        assertThat(new String(Netstring.encode("é"), UTF_8)).isEqualTo("2:é,");
    }

    @Test
    void decodesFrameFedOneByteAtATime() throws NetstringException {
        Netstring.Decoder decoder = new Netstring.Decoder(100);
        byte[] input = "11:hello world,".getBytes(US_ASCII);
        List<byte[]> frames = new ArrayList<>();
        for (byte b : input) {
            decoder.next(ByteBuffer.wrap(new byte[] {b})).ifPresent(frames::add);
        }
        assertThat(frames).hasSize(1);
        assertThat(new String(frames.get(0), US_ASCII)).isEqualTo("hello world");
        assertThat(decoder.inFrame()).isFalse();
    }

    @Test
    void stopsAtTheEndOfOneFrameLeavingTheNextInTheBuffer() throws NetstringException {
        Netstring.Decoder decoder = new Netstring.Decoder(100);
        ByteBuffer input = ByteBuffer.wrap("3:abc,0:,2:de,".getBytes(US_ASCII));
        assertThat(decoder.next(input)).map(b -> new String(b, US_ASCII)).contains("abc");
        assertThat(input.position()).isEqualTo(6);
        assertThat(decoder.next(input)).map(b -> new String(b, US_ASCII)).contains("");
        assertThat(decoder.next(input)).map(b -> new String(b, US_ASCII)).contains("de");
        assertThat(decoder.next(input)).isEmpty();
    }

    @Test
    void acceptsPayloadOfExactlyTheMaximumLength() throws NetstringException {
        Netstring.Decoder decoder = new Netstring.Decoder(5);
        assertThat(decoder.next(ascii("5:abcde,"))).map(b -> new String(b, US_ASCII)).contains("abcde");
    }

    @Test
    void emptyLengthPrefixIsBadLengthPrefix() {
        assertThat(failure(100, ":abc,").kind()).isEqualTo(Kind.BAD_LENGTH_PREFIX);
    }

    @Test
    void nonDigitInLengthPrefixIsBadLengthPrefix() {
        assertThat(failure(100, "3a:abc,").kind()).isEqualTo(Kind.BAD_LENGTH_PREFIX);
        assertThat(failure(100, "-3:abc,").kind()).isEqualTo(Kind.BAD_LENGTH_PREFIX);
        assertThat(failure(100, " 3:abc,").kind()).isEqualTo(Kind.BAD_LENGTH_PREFIX);
        assertThat(failure(100, "+3:abc,").kind()).isEqualTo(Kind.BAD_LENGTH_PREFIX);
    }

    @Test
    void leadingZeroInLengthPrefixIsBadLengthPrefix() {
        NetstringException e = failure(100, "03:abc,");
        assertThat(e.kind()).isEqualTo(Kind.BAD_LENGTH_PREFIX);
        assertThat(e).hasMessageContaining("leading zero");
    }

    @Test
    void payloadNotFollowedByCommaIsMissingComma() {
        NetstringException e = failure(100, "3:abcd");
        assertThat(e.kind()).isEqualTo(Kind.MISSING_COMMA);
        assertThat(e).hasMessageContaining("'d'");
    }

    @Test
    void lengthAboveTheMaximumIsOversizeDetectedFromThePrefixAlone() {
        Netstring.Decoder decoder = new Netstring.Decoder(10);
        ByteBuffer input = ascii("11:" + "x".repeat(11) + ",");
        NetstringException e = catchThrowableOfType(NetstringException.class, () -> decoder.next(input));
        assertThat(e.kind()).isEqualTo(Kind.OVERSIZE);
        assertThat(input.position()).isEqualTo(2);
        assertThat(decoder.buffered()).isZero();
    }

    @Test
    void hugeLengthPrefixIsOversizeWithoutOverflow() {
        assertThat(failure(Integer.MAX_VALUE, "99999999999999999999:").kind()).isEqualTo(Kind.OVERSIZE);
    }

    @Test
    void endOfInputInsideTheLengthPrefixIsTruncated() throws NetstringException {
        assertThat(truncation("12").getMessage()).contains("in the length prefix");
    }

    @Test
    void endOfInputInsideThePayloadIsTruncated() throws NetstringException {
        assertThat(truncation("5:ab").getMessage()).contains("after 2 of 5 payload bytes");
    }

    @Test
    void endOfInputBeforeTheCommaIsTruncated() throws NetstringException {
        assertThat(truncation("2:ab").getMessage()).contains("before the ','");
    }

    @Test
    void endOfInputBetweenFramesIsClean() throws NetstringException {
        Netstring.Decoder decoder = new Netstring.Decoder(100);
        decoder.next(ascii("1:a,"));
        assertThatCode(decoder::finish).doesNotThrowAnyException();
    }

    @Property
    void encodedFramesDecodeBackWhateverTheChunking(
            @ForAll @Size(max = 8) List<@Size(max = 40) byte[]> payloads,
            @ForAll @IntRange(min = 1, max = 17) int chunkSize) throws NetstringException {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        for (byte[] payload : payloads) {
            stream.writeBytes(Netstring.encode(payload));
        }
        byte[] bytes = stream.toByteArray();
        Netstring.Decoder decoder = new Netstring.Decoder(40);
        List<byte[]> decoded = new ArrayList<>();
        for (int offset = 0; offset < bytes.length; offset += chunkSize) {
            ByteBuffer chunk = ByteBuffer.wrap(bytes, offset, Math.min(chunkSize, bytes.length - offset));
            for (Optional<byte[]> frame = decoder.next(chunk); frame.isPresent(); frame = decoder.next(chunk)) {
                decoded.add(frame.get());
            }
            assertThat(chunk.hasRemaining()).isFalse();
        }
        decoder.finish();
        assertThat(decoded).containsExactlyElementsOf(payloads);
    }

    @Property
    void neverBuffersOrConsumesPastTheLimit(
            @ForAll("streams") byte[] input,
            @ForAll @IntRange(min = 0, max = 64) int maxLength,
            @ForAll @IntRange(min = 1, max = 9) int chunkSize) {
        Netstring.Decoder decoder = new Netstring.Decoder(maxLength);
        // a frame is at most: prefix digits, ':', payload, ','
        int frameBound = decoder.maxPrefixDigits() + 1 + maxLength + 1;
        int consumedInFrame = 0;
        try {
            for (int offset = 0; offset < input.length; offset += chunkSize) {
                ByteBuffer chunk = ByteBuffer.wrap(input, offset, Math.min(chunkSize, input.length - offset));
                while (chunk.hasRemaining()) {
                    int before = chunk.position();
                    try {
                        Optional<byte[]> frame = decoder.next(chunk);
                        consumedInFrame += chunk.position() - before;
                        if (frame.isPresent()) {
                            assertThat(frame.get().length).isLessThanOrEqualTo(maxLength);
                            consumedInFrame = 0;
                        }
                    } catch (NetstringException e) {
                        consumedInFrame += chunk.position() - before;
                        throw e;
                    } finally {
                        assertThat(decoder.buffered()).isLessThanOrEqualTo(maxLength);
                        assertThat(consumedInFrame).isLessThanOrEqualTo(frameBound);
                    }
                }
            }
        } catch (NetstringException expected) {
            if (expected.kind() != Kind.MISSING_COMMA) {
                // a prefix error is detected no later than one byte past the longest allowed prefix
                assertThat(consumedInFrame).isLessThanOrEqualTo(decoder.maxPrefixDigits() + 1);
            }
        }
    }

    @Property
    void arbitraryBytesGiveOnlyFramesOrNetstringException(
            @ForAll byte[] input, @ForAll @IntRange(min = 0, max = 100) int maxLength) {
        Netstring.Decoder decoder = new Netstring.Decoder(maxLength);
        ByteBuffer buffer = ByteBuffer.wrap(input);
        try {
            while (buffer.hasRemaining()) {
                decoder.next(buffer).ifPresent(frame -> assertThat(frame.length).isLessThanOrEqualTo(maxLength));
            }
            decoder.finish();
        } catch (NetstringException expected) {
            assertThat(expected.kind()).isNotNull();
        }
    }

    /** Mostly well-formed streams with damage, so the property reaches every state, not only the prefix. */
    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<byte[]> frame = Arbitraries.strings().ofMaxLength(80)
                .map(s -> Netstring.encode(s.getBytes(UTF_8)));
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(6);
        return Arbitraries.oneOf(frame, frame, noise).list().ofMaxSize(6).map(parts -> {
            java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
            parts.forEach(stream::writeBytes);
            return stream.toByteArray();
        });
    }

    private static NetstringException truncation(String input) throws NetstringException {
        Netstring.Decoder decoder = new Netstring.Decoder(100);
        assertThat(decoder.next(ascii(input))).isEmpty();
        NetstringException e = catchThrowableOfType(NetstringException.class, decoder::finish);
        assertThat(e.kind()).isEqualTo(Kind.TRUNCATED);
        return e;
    }

    private static NetstringException failure(int maxLength, String input) {
        Netstring.Decoder decoder = new Netstring.Decoder(maxLength);
        NetstringException e = catchThrowableOfType(NetstringException.class, () -> decoder.next(ascii(input)));
        assertThat(e).as("decoding %s", input).isNotNull();
        return e;
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(US_ASCII));
    }
}
