package io.github.mtasts.tlsrpt.logs;

/** Why a line was not turned into a {@link LogLine}. Each reason is counted, never fatal. */
public enum RejectReason {
    /** Empty or whitespace-only line. */
    EMPTY,
    /** Longer than the configured maximum; its content is not looked at. */
    OVERSIZE,
    /** Neither a classic syslog nor an RFC 3339 timestamp at the start, or an impossible date. */
    BAD_TIMESTAMP,
    /** No host field after the timestamp. */
    MISSING_HOST,
    /** No {@code program[pid]: } tag after the host (in the journal: no SYSLOG_IDENTIFIER or pid). */
    MISSING_TAG,
    /** A line of {@code journalctl -o json} output that is not a JSON object with a {@code __CURSOR}. */
    BAD_JOURNAL_ENTRY
}
