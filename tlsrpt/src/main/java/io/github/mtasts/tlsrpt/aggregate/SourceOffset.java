package io.github.mtasts.tlsrpt.aggregate;

/**
 * How far one source has been counted.
 *
 * @param committed every line ending at or before this offset is counted, and the sessions it completed
 * @param replay    where a restart resumes reading: the first line of the oldest connection still pending at
 *                  the commit, so its handshake state is rebuilt; lines up to {@code committed} are read again
 *                  only for that state, never counted twice
 */
public record SourceOffset(long committed, long replay) {
    public SourceOffset {
        if (committed < 0 || replay < 0 || replay > committed) {
            throw new IllegalArgumentException("need 0 <= replay <= committed: replay " + replay
                    + ", committed " + committed);
        }
    }
}
