package io.github.mtasts.tlsrpt.schedule;

import io.github.mtasts.resolver.text.LogSafe;
import io.github.mtasts.tlsrpt.config.ReportSettings;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.ReportDispatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The scheduling half of {@code tlsrpt run} (the other half is the ingest loop): on every tick, builds each UTC day
 * that ended at least the late-lines delay ago, routes its reports with deliveries spread over the delivery window,
 * makes the attempts that are due and purges days past retention. Everything it does is recorded in the queue, so a
 * restart at any point resumes where the killed process was.
 *
 * <p>Several instances may share one queue (a fleet on PostgreSQL): an instance builds a day only while it holds
 * the day's lease in the queue, so the day's reports come from one instance's one reading of the aggregates; the
 * deliveries are claimed one at a time, whoever built them.
 */
public final class TlsRptService {
    private static final Logger LOG = LoggerFactory.getLogger(TlsRptService.class);

    private final ReportDispatch dispatch;
    private final DeliveryQueue queue;
    private final ReportSettings settings;
    private final String instance;
    private final Clock clock;

    /** @param instance this instance's name among those sharing the queue, the owner of the leases it takes */
    public TlsRptService(ReportDispatch dispatch, DeliveryQueue queue, ReportSettings settings, String instance,
                         Clock clock) {
        this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The lease an instance holds while it builds {@code day}. */
    static String buildLease(LocalDate day) {
        return "build " + day;
    }

    /** The first day still kept; days before it are purged and never built again (so never re-sent). */
    public static LocalDate firstKeptDay(LocalDate today, int retentionDays) {
        return today.minusDays(retentionDays - 1L);
    }

    /** One pass over the kept days and the due deliveries. */
    public void tick() {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate firstKept = firstKeptDay(today, settings.retentionDays());
        int purged = queue.purgeBefore(firstKept);
        if (purged > 0) {
            LOG.info("purged {} report(s) of days before {}", purged, firstKept);
        }
        for (LocalDate day = firstKept; day.isBefore(today); day = day.plusDays(1)) {
            Instant ready = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(settings.lateLinesDelay());
            // the second dayBuilt: the lease's holder may have built the day and let its lease lapse meanwhile
            if (!queue.dayBuilt(day) && !now.isBefore(ready)
                    && queue.tryLease(buildLease(day), instance, settings.lease()) && !queue.dayBuilt(day)) {
                int built = dispatch.build(day, settings.onlyFailures());
                LOG.info("{}: {} report(s) built", day, built);
            }
            if (queue.dayBuilt(day)) {
                dispatch.route(day, settings.deliveryWindow());
            }
        }
        dispatch.deliverDue(Optional.empty());
    }

    /**
     * Ticks every {@code interval} until {@code stop} is counted down (returning at once then); a failing tick is
     * logged and the next one tries again.
     */
    public void run(Duration interval, CountDownLatch stop) throws InterruptedException {
        do {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.error("report scheduling failed, trying again in {}: {}", interval, LogSafe.escape(e.getMessage()), e);
            }
        } while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS));
    }
}
