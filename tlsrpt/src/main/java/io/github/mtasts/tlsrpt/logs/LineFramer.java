package io.github.mtasts.tlsrpt.logs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Splits bytes into newline-terminated lines, like Netty's {@code LineBasedFrameDecoder}: framing only, with
 * the maximum line length as a limit. A line longer than the limit is skipped up to its newline and reported
 * as oversize, so a 1 MB line costs no more memory than the limit. Bytes after the last newline stay pending
 * until their newline arrives. Tracks the absolute byte offset after each complete line.
 */
final class LineFramer {
    private final SourceId source;
    private final int maxLineBytes;
    private byte[] pending = new byte[256];
    private int pendingLength;
    private boolean discarding;
    /** Absolute offset of the next byte to be fed. */
    private long position;
    /** Absolute offset where the pending (unterminated) line starts. */
    private long lineStart;

    LineFramer(SourceId source, int maxLineBytes, long startOffset) {
        this.source = Objects.requireNonNull(source, "source");
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        reset(startOffset);
    }

    void feed(byte[] buffer, int offset, int length, Consumer<SourceLine> out) {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (buffer[i] == '\n') {
                append(buffer, start, i - start);
                long endOffset = position + (i - offset) + 1;
                emit(endOffset, out);
                start = i + 1;
            }
        }
        append(buffer, start, end - start);
        position += length;
    }

    /** Emits the unterminated tail as a line: the source ended (stream closed, file rotated away). */
    void flushPartial(Consumer<SourceLine> out) {
        if (pendingLength > 0 || discarding) {
            emit(position, out);
        }
    }

    /** Forgets any partial line and continues at {@code offset} (a truncated file restarts at 0). */
    void reset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        pendingLength = 0;
        discarding = false;
        position = offset;
        lineStart = offset;
    }

    /** The offset after the last complete line: where a restart must resume. */
    long committedOffset() {
        return lineStart;
    }

    /** The offset of the next byte to feed. */
    long position() {
        return position;
    }

    private void append(byte[] buffer, int from, int length) {
        if (length == 0 || discarding) {
            return;
        }
        if (pendingLength + length > maxLineBytes) {
            discarding = true;
            pendingLength = 0;
            return;
        }
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.min(maxLineBytes, Math.max(pending.length * 2, pendingLength + length)));
        }
        System.arraycopy(buffer, from, pending, pendingLength, length);
        pendingLength += length;
    }

    private void emit(long endOffset, Consumer<SourceLine> out) {
        SourceLine line;
        if (discarding) {
            line = new SourceLine(source, "", true, endOffset);
        } else {
            int length = pendingLength;
            if (length > 0 && pending[length - 1] == '\r') {
                length--;
            }
            line = new SourceLine(source, new String(pending, 0, length, StandardCharsets.UTF_8), false, endOffset);
        }
        pendingLength = 0;
        discarding = false;
        lineStart = endOffset;
        out.accept(line);
    }
}
