package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.logs.SourceId;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Counter increments and the read offsets that produced them, committed together by
 * {@link AggregateStore#commit(AggregateBatch)}: either all of a batch is stored or none of it. Not thread-safe.
 */
public final class AggregateBatch {
    /** Samples of unparsed lines kept per reason, in the batch and in the store. */
    public static final int SAMPLES_PER_REASON = 3;

    private final Map<CountKey, long[]> sessions = new LinkedHashMap<>();
    private final Map<FailureCountKey, Long> failures = new LinkedHashMap<>();
    private final Map<SourceId, SourceOffset> offsets = new LinkedHashMap<>();
    private final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
    private final List<Sample> samples = new ArrayList<>();
    private long parsedLines;
    private long uncountedSessions;

    /** The counts of one (UTC day, policy domain, policy). */
    public record CountKey(LocalDate day, String policyDomain, PolicyGroup policy) {
        public CountKey {
            Objects.requireNonNull(day, "day");
            Objects.requireNonNull(policyDomain, "policyDomain");
            Objects.requireNonNull(policy, "policy");
        }
    }

    /** One failure-details entry of one (UTC day, policy domain, policy). */
    public record FailureCountKey(CountKey count, FailureKey detail) {
        public FailureCountKey {
            Objects.requireNonNull(count, "count");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** One unparsed line kept for {@code tlsrpt status}. */
    public record Sample(RejectReason reason, String text) {
        public Sample {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(text, "text");
        }
    }

    public void add(CountedSession session) {
        CountKey key = new CountKey(session.day(), session.policyDomain(), session.policy());
        long[] counts = sessions.computeIfAbsent(key, k -> new long[2]);
        if (session.success()) {
            counts[0]++;
        } else {
            counts[1]++;
            failures.merge(new FailureCountKey(key, session.failure()), 1L, Long::sum);
        }
    }

    public void parsedLine() {
        parsedLines++;
    }

    /**
     * A session seen in the log that RFC 8460 does not count (see {@link PolicyInForce}), or that the datagram
     * collector counts instead (see {@code Ingest}).
     */
    public void uncountedSession() {
        uncountedSessions++;
    }

    public void rejectedLine(RejectReason reason, String sample) {
        long before = rejected.getOrDefault(reason, 0L);
        rejected.put(reason, before + 1);
        if (before < SAMPLES_PER_REASON) {
            samples.add(new Sample(reason, sample));
        }
    }

    public void offset(SourceId source, SourceOffset offset) {
        offsets.put(source, offset);
    }

    public boolean isEmpty() {
        return sessions.isEmpty() && offsets.isEmpty() && rejected.isEmpty() && parsedLines == 0
                && uncountedSessions == 0;
    }

    /** (successes, failures) per key. */
    public Map<CountKey, long[]> sessionCounts() {
        return sessions;
    }

    public Map<FailureCountKey, Long> failureCounts() {
        return failures;
    }

    public Map<SourceId, SourceOffset> offsets() {
        return offsets;
    }

    public Map<RejectReason, Long> rejected() {
        return rejected;
    }

    public List<Sample> samples() {
        return samples;
    }

    public long parsedLines() {
        return parsedLines;
    }

    public long uncountedSessions() {
        return uncountedSessions;
    }
}
