package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.resolver.text.LogSafe;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.DailyReports;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.RuaLookup;
import io.github.mtasts.tlsrpt.report.RuaLookupResult;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The steps from a day's aggregates to delivered reports, each idempotent and resumable from the queue alone:
 * {@link #build} stores the day's reports (a report id is stored once), {@link #route} looks up each report's
 * {@code rua} and queues one delivery per destination, {@link #deliverDue} makes the attempts that are due.
 */
public final class ReportDispatch {
    private static final Logger LOG = LoggerFactory.getLogger(ReportDispatch.class);
    private static final Duration RUA_TIMEOUT = Duration.ofSeconds(30);

    private final AggregateStore aggregates;
    private final Function<String, List<ServedPolicy>> servedPolicies;
    private final ReportBuilder builder;
    private final RuaLookup rua;
    private final DeliveryQueue queue;
    private final Deliverer deliverer;
    private final RetryPolicy retry;
    private final Duration lease;
    private final RandomGenerator random;
    private final Clock clock;

    /**
     * @param lease how long a claimed attempt may take before another process may retry it; longer than the
     *              deliverers' timeouts, so a live attempt is never retried under its feet
     */
    public ReportDispatch(AggregateStore aggregates, Function<String, List<ServedPolicy>> servedPolicies,
                          ReportBuilder builder, RuaLookup rua, DeliveryQueue queue, Deliverer deliverer,
                          RetryPolicy retry, Duration lease, RandomGenerator random, Clock clock) {
        this.aggregates = Objects.requireNonNull(aggregates, "aggregates");
        this.servedPolicies = Objects.requireNonNull(servedPolicies, "servedPolicies");
        this.builder = Objects.requireNonNull(builder, "builder");
        this.rua = Objects.requireNonNull(rua, "rua");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.deliverer = Objects.requireNonNull(deliverer, "deliverer");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.lease = Objects.requireNonNull(lease, "lease");
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The day's reports, built from the aggregates now, stored nowhere. */
    public List<TlsRptReport> reports(LocalDate day, boolean onlyFailures) {
        List<TlsRptReport> reports = new ArrayList<>();
        for (DailyReport daily : DailyReports.of(aggregates.day(day), servedPolicies, onlyFailures)) {
            reports.add(builder.build(daily));
        }
        return reports;
    }

    /**
     * Stores the day's reports and marks the day built. A report stored before is kept as it was, so its bytes and
     * id never change between deliveries; counts that arrive later do not reach it.
     */
    public int build(LocalDate day, boolean onlyFailures) {
        int stored = 0;
        for (TlsRptReport report : reports(day, onlyFailures)) {
            if (queue.addReport(report, clock.instant())) {
                stored++;
            }
        }
        queue.markDayBuilt(day, clock.instant());
        return stored;
    }

    /** Looks up the destinations of a policy domain now (RFC 8460 §3); never throws. */
    public RuaLookupResult lookUp(String policyDomain) {
        try {
            return rua.lookup(policyDomain).get(RUA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RuaLookupResult.LookupFailed("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return new RuaLookupResult.LookupFailed(String.valueOf(e));
        }
    }

    /**
     * Queues the deliveries of the day's stored reports not routed yet, each first due at a random time within
     * {@code spread} from now. A domain without a valid TLSRPT record gets no delivery (logged with the reason); a
     * DNS failure leaves the report unrouted for the next call. Returns the reports left unrouted.
     */
    public int route(LocalDate day, Duration spread) {
        int left = 0;
        for (String reportId : queue.unroutedReports(day)) {
            TlsRptReport report = queue.report(reportId).orElseThrow();
            RuaLookupResult result = lookUp(report.policyDomain());
            if (result instanceof RuaLookupResult.Found found) {
                Instant now = clock.instant();
                List<DeliveryQueue.Due> due = new ArrayList<>();
                for (Destination destination : Destination.allOf(found.record())) {
                    long delay = spread.isZero() ? 0 : random.nextLong(spread.toSeconds() + 1);
                    due.add(new DeliveryQueue.Due(destination.key(), now.plusSeconds(delay)));
                }
                queue.route(reportId, due, null);
                LOG.info("report {}: {} destination(s) queued", LogSafe.escape(reportId), due.size());
            } else if (result instanceof RuaLookupResult.NotReporting not) {
                queue.route(reportId, List.of(), not.reason());
                LOG.info("report {}: not sent, {} has no valid TLSRPT record: {}", LogSafe.escape(reportId),
                        LogSafe.escape(report.policyDomain()), LogSafe.escape(not.reason()));
            } else {
                left++;
                LOG.warn("report {}: TLSRPT record lookup failed, will try again: {}", LogSafe.escape(reportId),
                        LogSafe.escape(((RuaLookupResult.LookupFailed) result).detail()));
            }
        }
        return left;
    }

    /** Makes every due attempt (of {@code day} only, when given); returns the deliveries that succeeded. */
    public int deliverDue(Optional<LocalDate> day) {
        int delivered = 0;
        for (QueuedDelivery row : queue.due(clock.instant(), day)) {
            Instant now = clock.instant();
            Optional<QueuedDelivery> claimed = queue.claim(row, now, now.plus(lease));
            if (claimed.isPresent() && attempt(claimed.get())) {
                delivered++;
            }
        }
        return delivered;
    }

    private boolean attempt(QueuedDelivery delivery) {
        Optional<TlsRptReport> report = queue.report(delivery.reportId());
        if (report.isEmpty()) {
            queue.markFailed(delivery, "report no longer stored");
            return false;
        }
        // past this commit point the row stays 'sending' if we die: never resent blindly (DeliveryQueue#markSending)
        DeliveryResult result = deliverer.send(report.get(), Destinations.fromKey(delivery.destinationKey()),
                detail -> queue.markSending(delivery, clock.instant(), detail));
        if (result instanceof DeliveryResult.Delivered) {
            queue.markDelivered(delivery, clock.instant());
            LOG.info("report {} delivered to {}: {}", LogSafe.escape(delivery.reportId()),
                    LogSafe.escape(delivery.destinationKey()), LogSafe.escape(result.detail()));
            return true;
        }
        if (result instanceof DeliveryResult.PermanentFailure) {
            queue.markFailed(delivery, result.detail());
            LOG.warn("report {} to {} refused, given up: {}", LogSafe.escape(delivery.reportId()),
                    LogSafe.escape(delivery.destinationKey()), LogSafe.escape(result.detail()));
            return false;
        }
        Instant now = clock.instant();
        Optional<Instant> next = retry.nextAttempt(delivery.attempts(), delivery.firstAttempt(), now);
        if (next.isPresent()) {
            queue.markRetry(delivery, next.get(), result.detail());
            LOG.info("report {} to {} failed (attempt {}), retry at {}: {}", LogSafe.escape(delivery.reportId()),
                    LogSafe.escape(delivery.destinationKey()), delivery.attempts(), next.get(),
                    LogSafe.escape(result.detail()));
        } else {
            queue.markFailed(delivery, result.detail());
            LOG.warn("report {} to {} failed {} times, given up: {}", LogSafe.escape(delivery.reportId()),
                    LogSafe.escape(delivery.destinationKey()), delivery.attempts(), LogSafe.escape(result.detail()));
        }
        return false;
    }
}
