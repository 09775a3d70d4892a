package io.github.mtasts.tlsrpt.inbound;

/**
 * How much of a received report we read: anyone can mail us a report, so its size must not decide our memory,
 * our store or our dashboard. A report over any limit is rejected whole with a {@link ReportLimitException}
 * naming the limit and the JSON key, never truncated: a report cut short would store failure details that no
 * longer add up to its summary, as if the sender had seen less than it did. A rejected report's mail is left
 * untouched by the milter, so nothing is lost.
 *
 * @param maxReportBytes    the largest report, after decompression (so a small gzip bomb stops here), and the largest
 *                          report part of a message before it
 * @param maxPolicies       entries of {@code policies}
 * @param maxFailureDetails entries of one policy's {@code failure-details}
 * @param maxPolicyLines    entries of one policy's {@code policy-string} and of its {@code mx-host}
 * @param maxStringLength   characters of any string value
 */
public record ReportLimits(long maxReportBytes, int maxPolicies, int maxFailureDetails, int maxPolicyLines,
                           int maxStringLength) {

    /**
     * Real reports are a few kB: Google and Microsoft send one or two policies with a handful of failure details,
     * host names are at most 253 characters. The limits leave two orders of magnitude above the largest sender we
     * know of, while a report at every limit still parses in a few MB of heap.
     */
    public static final ReportLimits DEFAULT = new ReportLimits(2L * 1024 * 1024, 1000, 1000, 200, 1024);

    public ReportLimits {
        if (maxReportBytes < 1 || maxPolicies < 1 || maxFailureDetails < 1 || maxPolicyLines < 1
                || maxStringLength < 1) {
            throw new IllegalArgumentException("report limits must be positive: " + maxReportBytes + ", "
                    + maxPolicies + ", " + maxFailureDetails + ", " + maxPolicyLines + ", " + maxStringLength);
        }
    }

    /** These limits with another report size. */
    public ReportLimits withMaxReportBytes(long bytes) {
        return new ReportLimits(bytes, maxPolicies, maxFailureDetails, maxPolicyLines, maxStringLength);
    }
}
