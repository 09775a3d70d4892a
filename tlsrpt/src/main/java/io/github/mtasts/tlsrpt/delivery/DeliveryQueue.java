package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.TlsRptReport;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Built reports and their deliveries, durable. Every write is idempotent or conditional so that a process killed at
 * any point and restarted, or two processes sharing the store ({@code tlsrpt run} and {@code tlsrpt send}), never
 * deliver one (report, destination) twice. The commit point is {@link #markSending}, which a deliverer calls right
 * before the step after which the destination can accept the report (the final {@code .} of SMTP DATA, the last
 * byte of an HTTPS POST body): a process that dies before it leaves the row pending, and the retry is safe because
 * nothing was accepted; one that dies after it leaves the row sending, which is never retried by itself but shown
 * as uncertain until an operator resolves it ({@link #resolveUncertain}). Every method may throw
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
     * changed meanwhile. A process that dies before the attempt's {@link #markSending} leaves the row pending; it is
     * tried again once the lease lapses, which is safe since the destination cannot have accepted the report.
     */
    Optional<QueuedDelivery> claim(QueuedDelivery delivery, Instant now, Instant leaseUntil);

    /**
     * The commit point of an attempt: marks the claimed row sending, with {@code detail} telling an operator how to
     * check the destination (Message-ID and relay, or URI), in one small durable transaction, only if the claim still
     * holds (the row is pending or sending with the claimed attempt count). False when it does not (the lease lapsed
     * and another process claimed the row): the attempt must then stop before the destination can accept. Calling
     * it again within the same attempt returns true.
     */
    boolean markSending(QueuedDelivery delivery, Instant at, String detail);

    /** Records that the destination accepted the report, unless a later attempt was claimed since. */
    void markDelivered(QueuedDelivery delivery, Instant at);

    /**
     * Records a failed attempt (the destination answered no, or the connection failed) and when to try again,
     * unless a later attempt was claimed since; a sending row becomes pending again.
     */
    void markRetry(QueuedDelivery delivery, Instant next, String error);

    /** Records that the delivery is given up, unless a later attempt was claimed since. */
    void markFailed(QueuedDelivery delivery, String error);

    /**
     * An operator's decision on an {@link QueuedDelivery#uncertain uncertain} row, after checking the destination
     * (the relay's log has the Message-ID): {@link Resolution#RESEND} makes it pending and due at {@code now},
     * {@link Resolution#DELIVERED} marks it delivered at {@code now}. False, changing nothing, when the row is not
     * uncertain at {@code now} (absent, not sending, or its attempt's claim still running).
     */
    boolean resolveUncertain(String reportId, String destinationKey, Resolution resolution, Instant now);

    /** How many kept deliveries are in each state at {@code now}; one cheap query, for metrics. */
    StateCounts counts(Instant now);

    /**
     * Whether {@code address} is a mail destination of a kept report (case-insensitive): Postfix's delivery of our
     * own report mail to it is not a session to count (RFC 8460 §5.3 asks reporters not to report on it).
     */
    boolean isReportRecipient(String address);

    /** Every delivery of reports from {@code since} on, by day, domain and destination. */
    List<QueuedDelivery> deliveries(LocalDate since);

    /**
     * The deliveries of the reports for {@code policyDomain} of the UTC days {@code first} to {@code last}, newest
     * day first, at most {@code limit}: what the dashboard's domain page shows.
     */
    List<QueuedDelivery> deliveries(String policyDomain, LocalDate first, LocalDate last, int limit);

    /** Reports of the day and why those without deliveries have none. */
    List<StoredReport> reports(LocalDate day);

    /**
     * Deletes reports, deliveries and day marks of days before {@code firstKept}, and leases expired a day ago;
     * returns the reports deleted.
     */
    int purgeBefore(LocalDate firstKept);

    @Override
    void close();

    /** What an operator decided about an uncertain delivery. */
    enum Resolution { RESEND, DELIVERED }

    /**
     * Deliveries by state; {@code sending} counts attempts past their commit point whose claim still runs,
     * {@code uncertain} those whose claim lapsed.
     */
    record StateCounts(long pending, long sending, long uncertain, long delivered, long failed) {
    }

    /** A destination and when its first attempt is due. */
    record Due(String destinationKey, Instant at) {
    }

    /** A stored report's identity and routing. */
    record StoredReport(String reportId, String policyDomain, boolean routed, String note) {
    }
}
