package io.github.mtasts.tlsrpt.schedule;

import io.github.mtasts.tlsrpt.report.TlsRptReport;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Built reports and their deliveries, durable. Every write is idempotent or conditional so that a process killed at
 * any point and restarted, or two processes sharing the store ({@code tlsrpt run} and {@code tlsrpt send}), never
 * deliver one (report, destination) twice except in the window documented at {@link #claim}. Every method may throw
 * {@link DeliveryQueueException}.
 */
public interface DeliveryQueue extends AutoCloseable {

    /** Stores {@code report} unless a report with its id is stored already; true when this call stored it. */
    boolean addReport(TlsRptReport report, Instant built);

    /** The stored report with {@code reportId}. */
    Optional<TlsRptReport> report(String reportId);

    /** Ids of the day's stored reports whose destinations have not been looked up yet. */
    List<String> unroutedReports(LocalDate day);

    /**
     * Records the destinations of a report, each first due at its own time, and marks the report routed, in one
     * transaction; destinations already queued keep their rows. {@code note} says why there are none, if so.
     */
    void route(String reportId, List<Due> destinations, String note);

    /** Whether every report of {@code day} was built; set once the day's reports are stored. */
    boolean dayBuilt(LocalDate day);

    void markDayBuilt(LocalDate day, Instant at);

    /**
     * Takes or renews the lease {@code name} for {@code owner} until {@code ttl} from now: true when it is ours, false
     * while another owner's lease has not expired. Instances sharing the queue take the lease of a day before
     * building it, so one instance builds each day's reports from one reading of the aggregates.
     */
    boolean tryLease(String name, String owner, Duration ttl);

    /**
     * Makes the day's never-tried pending deliveries due at {@code now} (for {@code tlsrpt send}); rows already
     * attempted keep their backoff, and a row being attempted is never untried, so its lease holds.
     */
    void expedite(LocalDate day, Instant now);

    /** Pending deliveries due at {@code now} (of {@code day} only, when given), oldest first. */
    List<QueuedDelivery> due(Instant now, Optional<LocalDate> day);

    /**
     * Takes {@code delivery} for one attempt: counts the attempt and moves its next attempt to {@code leaseUntil},
     * only if the row is still pending as read; returns the claimed row, or empty when another process took it or it
     * changed meanwhile. A
     * process that dies during the attempt leaves the row pending; it is tried again once the lease lapses. If the
     * destination had already accepted the report, that retry sends it a second time with the same report-id and
     * Message-ID: the one duplicate the queue allows (see {@link #markDelivered}).
     */
    Optional<QueuedDelivery> claim(QueuedDelivery delivery, Instant now, Instant leaseUntil);

    /**
     * Records that the destination accepted the report. Called right after the acceptance, one small transaction:
     * the only window in which a crash leads to a second delivery is between the destination's acceptance and the
     * commit of this update.
     */
    void markDelivered(QueuedDelivery delivery, Instant at);

    /** Records a failed attempt and when to try again, unless a later attempt was claimed since. */
    void markRetry(QueuedDelivery delivery, Instant next, String error);

    /** Records that the delivery is given up. */
    void markFailed(QueuedDelivery delivery, String error);

    /**
     * Whether {@code address} is a mail destination of a kept report (case-insensitive): Postfix's delivery of our
     * own report mail to it is not a session to count (RFC 8460 §5.3 asks reporters not to report on it).
     */
    boolean isReportRecipient(String address);

    /** Every delivery of reports from {@code since} on, by day, domain and destination. */
    List<QueuedDelivery> deliveries(LocalDate since);

    /** Reports of the day and why those without deliveries have none. */
    List<StoredReport> reports(LocalDate day);

    /**
     * Deletes reports, deliveries and day marks of days before {@code firstKept}, and leases expired a day ago;
     * returns the reports deleted.
     */
    int purgeBefore(LocalDate firstKept);

    @Override
    void close();

    /** A destination and when its first attempt is due. */
    record Due(String destinationKey, Instant at) {
    }

    /** A stored report's identity and routing. */
    record StoredReport(String reportId, String policyDomain, boolean routed, String note) {
    }
}
