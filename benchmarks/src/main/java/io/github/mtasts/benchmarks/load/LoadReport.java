package io.github.mtasts.benchmarks.load;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one measured load run: completed requests, their latencies in microseconds, and errors by kind.
 *
 * @param connectFailures  connections that could not be opened
 * @param closedByServer   connections the server closed mid-run
 * @param malformedReplies replies that were not a socketmap netstring (the connection is dropped after one)
 * @param unexpectedReplies well-formed replies not starting with the expected prefix
 */
public record LoadReport(String target, int connections, Duration measured, long requests, Histogram latencyMicros,
                         long connectFailures, long closedByServer, long malformedReplies, long unexpectedReplies) {

    public LoadReport {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(latencyMicros, "latencyMicros");
        if (measured.isNegative() || measured.isZero()) {
            throw new IllegalArgumentException("measured duration must be positive: " + measured);
        }
    }

    public long errors() {
        return connectFailures + closedByServer + malformedReplies + unexpectedReplies;
    }

    public double requestsPerSecond() {
        return requests / (measured.toNanos() / 1e9);
    }

    private double millis(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    private double maxMillis() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    /** Human-readable summary, one figure per line. */
    public String toText() {
        return String.format(Locale.ROOT, """
                target        %s
                connections   %d
                duration      %.3f s
                requests      %d
                requests/s    %.0f
                latency ms    p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f
                errors        %d (connect %d, closed by server %d, malformed %d, unexpected %d)
                """, target, connections, measured.toNanos() / 1e9, requests, requestsPerSecond(),
                millis(50), millis(99), millis(99.9), maxMillis(),
                errors(), connectFailures, closedByServer, malformedReplies, unexpectedReplies);
    }

    /** One JSON object on one line, latencies in milliseconds, for scripts. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"target\":\"%s\",\"connections\":%d,\"duration_s\":%.3f,\"requests\":%d,\"requests_per_s\":%.1f,"
                        + "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%d,"
                        + "\"connect_failures\":%d,\"closed_by_server\":%d,\"malformed_replies\":%d,\"unexpected_replies\":%d}",
                target.replace("\\", "\\\\").replace("\"", "\\\""), connections, measured.toNanos() / 1e9, requests,
                requestsPerSecond(), millis(50), millis(99), millis(99.9), maxMillis(), errors(),
                connectFailures, closedByServer, malformedReplies, unexpectedReplies);
    }
}
