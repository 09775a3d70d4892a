package io.github.mtasts.tlsrpt.logs;

import java.util.Objects;

/**
 * One complete line read from a source.
 *
 * @param source    where it came from
 * @param text      the line without its newline, decoded as UTF-8 (invalid bytes replaced); empty when oversize
 * @param oversize  the line was longer than the reader's limit; its bytes were skipped, not kept
 * @param endOffset the byte offset just after this line's newline: where reading resumes once the line's
 *                  effects are stored
 */
public record SourceLine(SourceId source, String text, boolean oversize, long endOffset) {
    public SourceLine {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(text, "text");
        if (endOffset < 0) {
            throw new IllegalArgumentException("endOffset must not be negative: " + endOffset);
        }
    }
}
