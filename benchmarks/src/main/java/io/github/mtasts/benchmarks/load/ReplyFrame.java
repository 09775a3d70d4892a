package io.github.mtasts.benchmarks.load;

import java.nio.charset.StandardCharsets;

/**
 * Finds one socketmap reply netstring at the start of a byte range and judges it, without allocating: the load
 * loop calls it on every read. A reply is well formed when it is a netstring whose payload starts with one of the
 * socketmap status words Postfix accepts ({@code OK}, {@code NOTFOUND}, {@code TEMP}, {@code TIMEOUT},
 * {@code PERM}) followed by a space.
 */
public final class ReplyFrame {

    /** More bytes are needed before the frame can be judged. */
    public static final int INCOMPLETE = -1;
    /** The bytes are not a netstring, or the payload is not a socketmap reply. */
    public static final int MALFORMED = -2;

    private static final byte[][] STATUS_WORDS = {
        bytes("OK "), bytes("NOTFOUND "), bytes("TEMP "), bytes("TIMEOUT "), bytes("PERM "),
    };
    /** Longer than any reply Postfix accepts (its socketmap limit is 100000 bytes). */
    private static final int MAX_PAYLOAD = 100_000;

    private ReplyFrame() {
    }

    /**
     * Judges the frame at {@code buf[from..to)}.
     *
     * @return the length of the whole frame when it is complete and well formed, {@link #INCOMPLETE} or
     *     {@link #MALFORMED}
     */
    public static int scan(byte[] buf, int from, int to) {
        int length = 0;
        int i = from;
        for (; i < to && buf[i] != ':'; i++) {
            byte b = buf[i];
            if (b < '0' || b > '9' || i - from >= 6 || (i > from && buf[from] == '0')) {
                return MALFORMED;
            }
            length = length * 10 + (b - '0');
        }
        if (i == to) {
            return INCOMPLETE;
        }
        if (i == from || length > MAX_PAYLOAD) {
            return MALFORMED;
        }
        int payloadStart = i + 1;
        int end = payloadStart + length;
        if (end >= to) {
            return INCOMPLETE;
        }
        if (buf[end] != ',' || !isStatus(buf, payloadStart, end)) {
            return MALFORMED;
        }
        return end + 1 - from;
    }

    /** True when the payload of the complete frame at {@code from} starts with {@code prefix}. */
    public static boolean payloadStartsWith(byte[] buf, int from, int frameLength, byte[] prefix) {
        int payloadStart = from;
        while (buf[payloadStart] != ':') {
            payloadStart++;
        }
        payloadStart++;
        int payloadEnd = from + frameLength - 1;
        return payloadEnd - payloadStart >= prefix.length && regionEquals(buf, payloadStart, prefix);
    }

    private static boolean isStatus(byte[] buf, int start, int end) {
        for (byte[] word : STATUS_WORDS) {
            if (end - start >= word.length && regionEquals(buf, start, word)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(byte[] buf, int at, byte[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (buf[at + k] != expected[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
