package io.github.mtasts.tlsrpt.inbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits an mbox file into its messages as it reads it, so memory is bounded by one message however large the file
 * is. A line starting {@code From } begins a message and is not part of it; a body line {@code >From } (with any
 * number of {@code >}) loses one {@code >}, as mboxrd writes them (mboxo files, which quote only {@code From }, read
 * the same but for a body line that itself began {@code >From }). A message larger than the limit is not kept: its
 * size is counted and the rest of it skipped up to the next {@code From } line. Framing only, like a line decoder:
 * what a message means is the caller's business.
 */
final class MboxReader {

    /**
     * One message of the mbox.
     *
     * @param index   its position in the file, from 1
     * @param content its bytes, null when it was larger than the limit
     * @param size    its size in bytes, counted in full even when it was skipped
     */
    record Message(int index, byte[] content, long size) {
        boolean oversized() {
            return content == null;
        }
    }

    private static final byte[] FROM = {'F', 'r', 'o', 'm', ' '};

    private final InputStream in;
    private final long maxMessageBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int end;
    private boolean eof;
    /** The line being read, up to the first {@link #maxMessageBytes} + 1 of its bytes. */
    private byte[] line = new byte[256];
    private int lineLength;
    private long lineSize;
    private int index;
    /** Whether the line last read is the {@code From } line of the next message. */
    private boolean atFromLine;

    /** @param maxMessageBytes a larger message is skipped, only its size reported */
    MboxReader(InputStream in, long maxMessageBytes) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The next message, or null at the end of the file. Text before the first {@code From } line is ignored. */
    Message next() throws IOException {
        if (!atFromLine) {
            do {
                if (!readLine()) {
                    return null;
                }
            } while (!startsWith(0, FROM));
        }
        atFromLine = false;
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        long size = 0;
        while (readLine()) {
            if (startsWith(0, FROM)) {
                atFromLine = true;
                break;
            }
            int skip = quotedFrom() ? 1 : 0;
            size += lineSize - skip;
            if (content != null && size > maxMessageBytes) {
                content = null;
            }
            if (content != null) {
                content.write(line, skip, lineLength - skip);
            }
        }
        index++;
        return new Message(index, content == null ? null : content.toByteArray(), size);
    }

    /** Whether the line is {@code >From }, {@code >>From } and so on. */
    private boolean quotedFrom() {
        int i = 0;
        while (i < lineLength && line[i] == '>') {
            i++;
        }
        return i > 0 && startsWith(i, FROM);
    }

    private boolean startsWith(int offset, byte[] prefix) {
        return lineLength - offset >= prefix.length
                && Arrays.equals(line, offset, offset + prefix.length, prefix, 0, prefix.length);
    }

    /** Reads the next line with its newline; false at the end of the file with nothing read. */
    private boolean readLine() throws IOException {
        lineLength = 0;
        lineSize = 0;
        while (true) {
            if (position == end) {
                if (eof) {
                    return lineSize > 0;
                }
                end = in.read(buffer, 0, buffer.length);
                position = 0;
                if (end <= 0) {
                    end = 0;
                    eof = true;
                    return lineSize > 0;
                }
            }
            int start = position;
            while (position < end && buffer[position] != '\n') {
                position++;
            }
            boolean newline = position < end;
            if (newline) {
                position++;
            }
            keep(start, position - start);
            if (newline) {
                return true;
            }
        }
    }

    /** Keeps a line's bytes up to one more than a message may hold: a longer line makes its message oversized anyway. */
    private void keep(int start, int count) {
        lineSize += count;
        int room = (int) Math.min(Integer.MAX_VALUE - 8, maxMessageBytes + 1) - lineLength;
        int kept = Math.min(count, Math.max(0, room));
        if (kept == 0) {
            return;
        }
        if (lineLength + kept > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(Integer.MAX_VALUE - 8,
                    Math.max((long) line.length * 2, lineLength + kept)));
        }
        System.arraycopy(buffer, start, line, lineLength, kept);
        lineLength += kept;
    }
}
