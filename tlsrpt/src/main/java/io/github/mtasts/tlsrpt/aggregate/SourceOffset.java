package io.github.mtasts.tlsrpt.aggregate;

import java.util.Objects;

/**
 * How far one source has been counted.
 *
 * @param committed   every line ending at or before this offset is counted, and the sessions it completed
 * @param replay      where a restart resumes reading: the first line of the oldest connection still pending at
 *                    the commit, so its handshake state is rebuilt; lines up to {@code committed} are read again
 *                    only for that state, never counted twice
 * @param fingerprint of a live file, a hash of its first bytes (up to {@code committed}, see
 *                    {@code FollowedFile#fingerprint}): a file truncated and rewritten, or another file that got
 *                    the same inode, no longer matches and is read from its start; empty when not known (a stream,
 *                    a gzip file, an offset stored before fingerprints were kept)
 * @param cursor      of the systemd journal, the {@code __CURSOR} of the last entry counted (the numeric offsets are
 *                    then entry times in microseconds since the epoch, see {@code Ingest#importJournal}); empty for
 *                    other sources
 */
public record SourceOffset(long committed, long replay, String fingerprint, String cursor) {
    public SourceOffset {
        if (committed < 0 || replay < 0 || replay > committed) {
            throw new IllegalArgumentException("need 0 <= replay <= committed: replay " + replay
                    + ", committed " + committed);
        }
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(cursor, "cursor");
    }

    /** An offset of a source that keeps no fingerprint and no cursor. */
    public SourceOffset(long committed, long replay) {
        this(committed, replay, "", "");
    }

    /** The position in the systemd journal after the entry with {@code cursor}. */
    public static SourceOffset ofCursor(String cursor) {
        if (cursor.isEmpty()) {
            throw new IllegalArgumentException("journal cursor must not be empty");
        }
        return new SourceOffset(0, 0, "", cursor);
    }
}
