package io.github.mtasts.tlsrpt.schedule;

import io.github.mtasts.resolver.text.LogSafe;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.FailureFigures;
import io.github.mtasts.tlsrpt.aggregate.IngestStats;
import io.github.mtasts.tlsrpt.aggregate.SourceOffset;
import io.github.mtasts.tlsrpt.datagrams.MalformedDatagramException.Reason;
import io.github.mtasts.tlsrpt.delivery.Deliverer;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.DeliveryResult;
import io.github.mtasts.tlsrpt.delivery.Destination;
import io.github.mtasts.tlsrpt.ingest.DatagramCollector;
import io.github.mtasts.tlsrpt.logs.SourceId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The Prometheus meters of {@code tlsrpt run}:
 * <ul>
 * <li>{@code mtasts_tlsrpt_deliveries{state}}: kept deliveries by queue state ({@code pending}, {@code sending},
 * {@code uncertain}, {@code delivered}, {@code failed}), read from the store at scrape time, one query a scrape;</li>
 * <li>{@code mtasts_tlsrpt_delivery_attempts_total{kind,outcome}}: attempts of this process by destination kind
 * ({@code mailto}, {@code https}) and outcome ({@code delivered}, {@code retryable_failure},
 * {@code permanent_failure});</li>
 * <li>{@code mtasts_tlsrpt_ingest_lines_read_total}, {@code mtasts_tlsrpt_ingest_lines_unparsed_total},
 * {@code mtasts_tlsrpt_ingest_sessions_counted_total{result}} ({@code successful}, {@code failed}) and
 * {@code mtasts_tlsrpt_ingest_sessions_uncounted_total}: what this process ingested, counted when committed
 * (sessions from datagrams included);</li>
 * <li>{@code mtasts_tlsrpt_datagrams_received_total} and {@code mtasts_tlsrpt_datagrams_malformed_total{reason}}:
 * libtlsrpt datagrams this process decoded, and refused by reason ({@code oversize}, {@code not-json},
 * {@code unsupported-version}, {@code missing-field}, {@code unknown-field}, {@code bad-value},
 * {@code inconsistent}), counted on arrival.</li>
 * </ul>
 */
public final class ReporterMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(ReporterMetrics.class);
    /** Every gauge of one scrape reads the same counts; a later scrape reads again. */
    private static final Duration COUNTS_REUSE = Duration.ofSeconds(1);

    private final MeterRegistry registry;
    private final Counter linesRead;
    private final Counter linesUnparsed;
    private final Counter sessionsSuccessful;
    private final Counter sessionsFailed;
    private final Counter sessionsUncounted;
    private final Counter datagramsReceived;
    private final Map<Reason, Counter> datagramsMalformed = new EnumMap<>(Reason.class);

    public ReporterMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        linesRead = Counter.builder("mtasts.tlsrpt.ingest.lines.read")
                .description("Log lines ingested and committed").register(registry);
        linesUnparsed = Counter.builder("mtasts.tlsrpt.ingest.lines.unparsed")
                .description("Ingested log lines that are not Postfix log lines").register(registry);
        sessionsSuccessful = sessions("successful");
        sessionsFailed = sessions("failed");
        sessionsUncounted = Counter.builder("mtasts.tlsrpt.ingest.sessions.uncounted")
                .description("TLS sessions not counted (no policy domain, our own report mail, or left to the"
                        + " datagram collector)").register(registry);
        datagramsReceived = Counter.builder("mtasts.tlsrpt.datagrams.received")
                .description("libtlsrpt datagrams received and decoded").register(registry);
        for (Reason reason : Reason.values()) {
            datagramsMalformed.put(reason, Counter.builder("mtasts.tlsrpt.datagrams.malformed")
                    .tag("reason", reason.label())
                    .description("libtlsrpt datagrams refused as malformed, by reason").register(registry));
        }
    }

    /** What the datagram collector reports, counted. */
    public DatagramCollector.Events datagramEvents() {
        return new DatagramCollector.Events() {
            @Override
            public void received() {
                datagramsReceived.increment();
            }

            @Override
            public void malformed(Reason reason) {
                datagramsMalformed.get(reason).increment();
            }
        };
    }

    private Counter sessions(String result) {
        return Counter.builder("mtasts.tlsrpt.ingest.sessions.counted").tag("result", result)
                .description("TLS sessions counted into the daily reports").register(registry);
    }

    /** Registers the queue gauges, read from {@code queue} when scraped. */
    public void watch(DeliveryQueue queue, Clock clock) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(clock, "clock");
        Snapshot snapshot = new Snapshot(queue, clock);
        gauge(snapshot, "pending", DeliveryQueue.StateCounts::pending);
        gauge(snapshot, "sending", DeliveryQueue.StateCounts::sending);
        gauge(snapshot, "uncertain", DeliveryQueue.StateCounts::uncertain);
        gauge(snapshot, "delivered", DeliveryQueue.StateCounts::delivered);
        gauge(snapshot, "failed", DeliveryQueue.StateCounts::failed);
    }

    private void gauge(Snapshot snapshot, String state, ToLongFunction<DeliveryQueue.StateCounts> field) {
        Gauge.builder("mtasts.tlsrpt.deliveries", snapshot, s -> s.read().map(field::applyAsLong)
                        .map(Long::doubleValue).orElse(Double.NaN))
                .tag("state", state)
                .description("Kept report deliveries by state; uncertain ones wait for the operator")
                .strongReference(true)
                .register(registry);
    }

    /** {@code deliverer}, counting each attempt's outcome by destination kind. */
    public Deliverer counting(Deliverer deliverer) {
        Objects.requireNonNull(deliverer, "deliverer");
        return (report, destination, commitPoint) -> {
            DeliveryResult result = deliverer.send(report, destination, commitPoint);
            String outcome = result instanceof DeliveryResult.Delivered ? "delivered"
                    : result instanceof DeliveryResult.RetryableFailure ? "retryable_failure" : "permanent_failure";
            Counter.builder("mtasts.tlsrpt.delivery.attempts")
                    .tag("kind", destination instanceof Destination.MailRecipient ? "mailto" : "https")
                    .tag("outcome", outcome)
                    .description("Report delivery attempts by destination kind and outcome")
                    .register(registry).increment();
            return result;
        };
    }

    /** {@code store}, counting the lines and sessions of every batch it commits. */
    public AggregateStore counting(AggregateStore store) {
        return new CountingStore(Objects.requireNonNull(store, "store"));
    }

    /** The queue's counts, read at most once per {@link #COUNTS_REUSE}; empty when the store fails. */
    private static final class Snapshot {
        private final DeliveryQueue queue;
        private final Clock clock;
        private DeliveryQueue.StateCounts counts;
        private long readAt;

        Snapshot(DeliveryQueue queue, Clock clock) {
            this.queue = queue;
            this.clock = clock;
        }

        synchronized Optional<DeliveryQueue.StateCounts> read() {
            long now = System.nanoTime();
            if (counts == null || now - readAt >= COUNTS_REUSE.toNanos()) {
                try {
                    counts = queue.counts(clock.instant());
                    readAt = now;
                } catch (RuntimeException e) {
                    LOG.warn("cannot read the delivery queue for metrics: {}", LogSafe.escape(e.getMessage()));
                    counts = null;
                    return Optional.empty();
                }
            }
            return Optional.of(counts);
        }
    }

    private final class CountingStore implements AggregateStore {
        private final AggregateStore store;

        CountingStore(AggregateStore store) {
            this.store = store;
        }

        @Override
        public Optional<SourceOffset> offset(SourceId source) {
            return store.offset(source);
        }

        @Override
        public Map<SourceId, SourceOffset> offsets(String keyPrefix) {
            return store.offsets(keyPrefix);
        }

        @Override
        public void commit(AggregateBatch batch) {
            store.commit(batch);
            long unparsed = batch.rejected().values().stream().mapToLong(Long::longValue).sum();
            linesRead.increment(batch.parsedLines() + unparsed);
            linesUnparsed.increment(unparsed);
            for (long[] counts : batch.sessionCounts().values()) {
                sessionsSuccessful.increment(counts[0]);
                sessionsFailed.increment(counts[1]);
            }
            sessionsUncounted.increment(batch.uncountedSessions());
        }

        @Override
        public List<DomainDay> day(LocalDate day) {
            return store.day(day);
        }

        @Override
        public FailureFigures figures() {
            return store.figures();
        }

        @Override
        public IngestStats stats() {
            return store.stats();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
