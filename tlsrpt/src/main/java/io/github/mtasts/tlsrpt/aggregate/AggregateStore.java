package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.logs.SourceId;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable per-day session counters and the read offsets behind them. Counters are add-only, so several collectors
 * can share one store; a batch and its offsets are stored atomically, so a crash between batches loses nothing and
 * counts nothing twice. Every method may throw {@link AggregateStoreException}.
 */
public interface AggregateStore extends AutoCloseable {

    /** How far {@code source} has been counted; empty when never read. */
    Optional<SourceOffset> offset(SourceId source);

    /** Every stored offset whose source key starts with {@code keyPrefix} (a path's files of every inode). */
    Map<SourceId, SourceOffset> offsets(String keyPrefix);

    /** Adds the batch's counts and stores its offsets, all in one transaction. */
    void commit(AggregateBatch batch);

    /** Every policy domain's counts of the UTC {@code day}, ordered by domain and policy. */
    List<DomainDay> day(LocalDate day);

    /**
     * Every policy domain's counts of the UTC days {@code first} to {@code last} inclusive, ordered by day, then
     * domain and policy: what the dashboard shows. One {@link #day} read per day, which a month-long window keeps
     * cheap; a store may answer it with one query instead.
     */
    default List<DomainDay> days(LocalDate first, LocalDate last) {
        if (last.isBefore(first)) {
            throw new IllegalArgumentException("day range ends before it starts: " + first + " to " + last);
        }
        List<DomainDay> days = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            days.addAll(day(day));
        }
        return days;
    }

    /**
     * The dashboard's bounded queries over these counters.
     *
     * @throws UnsupportedOperationException when this store cannot aggregate in a database
     */
    default FailureFigures figures() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no failure figures");
    }

    /** Line counts and samples of everything ingested so far (they have no day: an unparsed line has no time). */
    IngestStats stats();

    @Override
    void close();
}
