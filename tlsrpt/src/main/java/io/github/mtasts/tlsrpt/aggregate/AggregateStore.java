package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.logs.SourceId;

import java.time.LocalDate;
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

    /** The dashboard's queries over these counters, summed and cut to size in the database. */
    FailureFigures figures();

    /** Line counts and samples of everything ingested so far (they have no day: an unparsed line has no time). */
    IngestStats stats();

    @Override
    void close();
}
