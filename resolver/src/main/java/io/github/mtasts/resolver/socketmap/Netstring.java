package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.socketmap.NetstringException.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Netstrings as defined by D. J. Bernstein (https://cr.yp.to/proto/netstrings.txt) and spoken by Postfix's
 * socketmap client: {@code <decimal length>:<payload>,}. Pure codec, no I/O.
 */
public final class Netstring {

    private Netstring() {
    }

    /** The netstring carrying {@code payload}. */
    public static byte[] encode(byte[] payload) {
        byte[] prefix = (payload.length + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[prefix.length + payload.length + 1];
        System.arraycopy(prefix, 0, frame, 0, prefix.length);
        System.arraycopy(payload, 0, frame, prefix.length, payload.length);
        frame[frame.length - 1] = ',';
        return frame;
    }

    /** The netstring carrying the UTF-8 encoding of {@code payload}. */
    public static byte[] encode(String payload) {
        return encode(payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Incremental decoder: feed it whatever bytes arrived, get back each complete payload. It buffers at most
     * {@code maxLength} payload bytes, and rejects an oversize frame from its length prefix alone, after at most
     * {@link #maxPrefixDigits()} + 1 bytes of that prefix. After a {@link NetstringException} the stream has
     * no recoverable framing; callers must drop the decoder (and the connection).
     */
    public static final class Decoder {

        private final int maxLength;
        private final int maxPrefixDigits;
        /** Digits of the current prefix seen so far; -1 while no frame has started. */
        private int prefixDigits = -1;
        private int length;
        private byte[] payload;
        private int filled;

        public Decoder(int maxLength) {
            if (maxLength < 0) {
                throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
            }
            this.maxLength = maxLength;
            this.maxPrefixDigits = Integer.toString(maxLength).length();
        }

        public int maxLength() {
            return maxLength;
        }

        /** The longest length prefix this decoder accepts, in digits. */
        public int maxPrefixDigits() {
            return maxPrefixDigits;
        }

        /** Payload bytes held for the frame in progress; never more than {@link #maxLength()}. */
        public int buffered() {
            return filled;
        }

        /** True between the first byte of a frame and its comma. */
        public boolean inFrame() {
            return prefixDigits >= 0;
        }

        /**
         * Consumes bytes from {@code input} up to the end of the next frame, never beyond it.
         *
         * @return the payload when a frame completed, empty when {@code input} ran out first
         */
        public Optional<byte[]> next(ByteBuffer input) throws NetstringException {
            while (input.hasRemaining()) {
                if (payload == null) {
                    readPrefixByte(input.get());
                } else if (filled < length) {
                    int n = Math.min(length - filled, input.remaining());
                    input.get(payload, filled, n);
                    filled += n;
                } else {
                    byte terminator = input.get();
                    if (terminator != ',') {
                        throw new NetstringException(Kind.MISSING_COMMA,
                                "expected ',' after " + length + " payload bytes, got " + describe(terminator));
                    }
                    byte[] frame = payload;
                    reset();
                    return Optional.of(frame);
                }
            }
            return Optional.empty();
        }

        /** Declares the end of input; an unfinished frame is an error. */
        public void finish() throws NetstringException {
            if (inFrame()) {
                String where = payload == null
                        ? "in the length prefix"
                        : filled < length ? "after " + filled + " of " + length + " payload bytes" : "before the ','";
                reset();
                throw new NetstringException(Kind.TRUNCATED, "input ended " + where);
            }
        }

        private void readPrefixByte(byte b) throws NetstringException {
            if (prefixDigits < 0) {
                prefixDigits = 0;
                length = 0;
            }
            if (b == ':') {
                if (prefixDigits == 0) {
                    throw new NetstringException(Kind.BAD_LENGTH_PREFIX, "empty length prefix");
                }
                payload = new byte[length];
                filled = 0;
                return;
            }
            if (b < '0' || b > '9') {
                throw new NetstringException(Kind.BAD_LENGTH_PREFIX,
                        "expected a digit or ':' in the length prefix, got " + describe(b));
            }
            if (prefixDigits == 1 && length == 0) {
                // djb: "[len] begins with <30> exactly when [string] is empty"
                throw new NetstringException(Kind.BAD_LENGTH_PREFIX, "leading zero in the length prefix");
            }
            prefixDigits++;
            long announced = length * 10L + (b - '0');
            if (announced > maxLength) {
                throw new NetstringException(Kind.OVERSIZE,
                        "length prefix exceeds the maximum of " + maxLength + " bytes");
            }
            length = (int) announced;
        }

        private void reset() {
            prefixDigits = -1;
            length = 0;
            payload = null;
            filled = 0;
        }

        private static String describe(byte b) {
            int c = b & 0xff;
            return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
        }
    }
}
