package io.github.mtasts.tlsrpt.inbound;

import java.time.Instant;
import java.util.List;

/**
 * Where received reports are kept, deduplicated by (organisation, report id, date range): senders retry,
 * and an import may run over mail the milter already stored.
 */
public interface InboundReportStore extends AutoCloseable {

    /** What {@link #save} did. */
    enum Saved { STORED, DUPLICATE }

    /**
     * Stores {@code report} with its original JSON unless a report with the same key is already there.
     *
     * @throws InboundStoreException when the store cannot be written; nothing is stored then
     */
    Saved save(InboundReport report, byte[] json, Instant receivedAt);

    /** Every stored report, oldest period first, rebuilt from the rows with their recorded deviations. */
    List<InboundReport> reports();

    @Override
    void close();
}
