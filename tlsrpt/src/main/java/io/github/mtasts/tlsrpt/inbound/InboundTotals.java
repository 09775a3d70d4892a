package io.github.mtasts.tlsrpt.inbound;

/**
 * What the reports of a window of UTC days add up to; a report belongs to the UTC day its period starts.
 *
 * @param reports       reports in the window
 * @param organizations distinct reporting organisations in the window
 * @param successful    successful sessions of every policy of those reports
 * @param failed        failed sessions of every policy of those reports
 */
public record InboundTotals(long reports, long organizations, long successful, long failed) {
}
