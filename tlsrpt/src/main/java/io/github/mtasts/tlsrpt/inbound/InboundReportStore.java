package io.github.mtasts.tlsrpt.inbound;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

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

    /**
     * Every stored report, oldest period first, rebuilt from the rows with their recorded deviations. Its size is the
     * store's: for tests and tools, never for a page.
     */
    List<InboundReport> reports();

    /**
     * What the reports whose period starts in the UTC days {@code first} to {@code last} add up to, summed in the
     * database.
     *
     * @throws InboundStoreException when the store cannot be read
     */
    InboundTotals totals(LocalDate first, LocalDate last);

    /**
     * The organisations that reported in the window, ranked by failed sessions, at most {@code limit} (capped at
     * {@link InboundOrganizations#MAX_ROWS}).
     *
     * @throws InboundStoreException when the store cannot be read
     */
    InboundOrganizations organizations(LocalDate first, LocalDate last, int limit);

    /**
     * The failed sessions each of {@code organizations} reported per UTC day of the window (by the start of the
     * report's period), for the ranking's trend: one count per day, {@code first} first; absent days are zero.
     *
     * @throws InboundStoreException when the store cannot be read
     */
    Map<String, long[]> dailyFailures(List<String> organizations, LocalDate first, LocalDate last);

    /**
     * What {@code organization} reported of our domains in the window, at most {@code limit} rows of each kind.
     *
     * @throws InboundStoreException when the store cannot be read
     */
    InboundOrganizations.Seen organization(String organization, LocalDate first, LocalDate last, int limit);

    /**
     * The organisations that reported on our policy {@code domain} in the window, ranked by failed sessions, at most
     * {@code limit}; their dominant result type is left empty.
     *
     * @throws InboundStoreException when the store cannot be read
     */
    InboundOrganizations reporters(String domain, LocalDate first, LocalDate last, int limit);

    @Override
    void close();
}
