package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.logs.RejectReason;

import java.util.List;
import java.util.Map;

/**
 * Totals over all ingested lines.
 *
 * @param parsedLines       lines with a syslog timestamp, host and tag
 * @param rejected          unparsed lines by reason
 * @param samples           the first few unparsed lines of each reason
 * @param uncountedSessions sessions seen but not counted (a plaintext delivery to a relay that is no policy MX)
 */
public record IngestStats(long parsedLines, Map<RejectReason, Long> rejected, List<AggregateBatch.Sample> samples,
                          long uncountedSessions) {
    public IngestStats {
        rejected = Map.copyOf(rejected);
        samples = List.copyOf(samples);
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
