package io.github.mtasts.tlsrpt.logs;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counts of parsed and rejected lines by reason, with the first few rejected lines of each reason kept as
 * samples for {@code tlsrpt status}. Not thread-safe: one instance per ingest loop.
 */
public final class LineStats {
    /** Samples are cut to this many characters so that an oversize or binary line stays harmless. */
    static final int SAMPLE_LENGTH = 200;

    private final int samplesPerReason;
    private long parsed;
    private final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
    private final Map<RejectReason, List<String>> samples = new EnumMap<>(RejectReason.class);

    public LineStats(int samplesPerReason) {
        if (samplesPerReason < 0) {
            throw new IllegalArgumentException("samplesPerReason must not be negative: " + samplesPerReason);
        }
        this.samplesPerReason = samplesPerReason;
    }

    /** Records the outcome of parsing {@code text} and returns the parsed line, or null when rejected. */
    public LogLine record(ParseResult result, String text) {
        if (result instanceof ParseResult.Parsed parsedLine) {
            parsed++;
            return parsedLine.line();
        }
        RejectReason reason = ((ParseResult.Rejected) result).reason();
        rejected.merge(reason, 1L, Long::sum);
        List<String> kept = samples.computeIfAbsent(reason, r -> new ArrayList<>(samplesPerReason));
        if (kept.size() < samplesPerReason) {
            kept.add(printable(text));
        }
        return null;
    }

    public long parsed() {
        return parsed;
    }

    public long rejected(RejectReason reason) {
        return rejected.getOrDefault(reason, 0L);
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    public List<String> samples(RejectReason reason) {
        return List.copyOf(samples.getOrDefault(reason, List.of()));
    }

    /** At most {@link #SAMPLE_LENGTH} characters with control characters shown as {@code ?}. */
    public static String printable(String text) {
        int length = Math.min(text.length(), SAMPLE_LENGTH);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return out.toString();
    }
}
