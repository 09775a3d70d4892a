package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.text.LogSafe;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.datagrams.DatagramDecoder;
import io.github.mtasts.tlsrpt.datagrams.MalformedDatagramException;
import io.github.mtasts.tlsrpt.datagrams.MalformedDatagramException.Reason;
import io.github.mtasts.tlsrpt.datagrams.TlsrptDatagram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Counts Postfix's libtlsrpt datagrams into the per-day aggregates: each one decoded on arrival, the sessions it
 * reports added to the open batch, which is committed when it holds {@code batchDatagrams} datagrams or has been
 * open {@code batchInterval}, whichever comes first, and at {@link #close()}.
 *
 * <p>Commits run on a thread of their own, never on the thread that receives: the kernel queues at most
 * {@code net.unix.max_dgram_qlen} (512 by default) datagrams for a unix datagram socket, and Postfix sends with
 * {@code MSG_DONTWAIT}, so a receiver waiting for the database would make Postfix drop reports. A commit that
 * fails (the database is away) is kept and retried first at the next interval, up to {@link #MAX_PENDING_BATCHES}
 * batches; beyond that the oldest is dropped with an error naming how many datagrams it held.
 *
 * <p>The MTA-STS policy each sts datagram carries is recorded as served to its domain, in the policy store, before
 * the counts that name it by hash are committed: the report then shows the policy Postfix applied, also when
 * another resolver than ours answered Postfix. A datagram that does not decode is counted by reason, the first
 * {@link #LOGGED_SAMPLES} of each reason logged (escaped), and dropped; nothing a sender sends stops the collector.
 * Thread-safe.
 */
public final class DatagramCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramCollector.class);
    static final int MAX_PENDING_BATCHES = 1000;
    static final int LOGGED_SAMPLES = 3;
    /**
     * How long before a datagram's arrival its policy counts as served. Postfix held the policy when it logged the
     * session, but the datagram is only read when this process gets the CPU, seconds later on a loaded host; a
     * session log ingest counts beside the collector (a resumed handshake Postfix 3.10 sends no datagram for) must
     * not fall before the policy's first serving and count as no-policy-found.
     */
    static final Duration RECEIVE_LAG = Duration.ofMinutes(1);

    /** What the collector reports to the metrics as it goes. */
    public interface Events {
        Events NONE = new Events() {
            @Override
            public void received() {
            }

            @Override
            public void malformed(Reason reason) {
            }
        };

        void received();

        void malformed(Reason reason);
    }

    private final AggregateStore store;
    private final PolicyStore policies;
    private final DatagramDecoder decoder = new DatagramDecoder();
    private final int batchDatagrams;
    private final Duration batchInterval;
    private final Clock clock;
    private final Events events;
    private final ScheduledExecutorService committer;
    private final Map<Reason, Long> malformed = new EnumMap<>(Reason.class);
    /** Batches handed over, oldest first; only the committer thread touches it. */
    private final ArrayDeque<Batch> pending = new ArrayDeque<>();
    private Batch open;
    private long received;
    private boolean closed;

    public DatagramCollector(AggregateStore store, PolicyStore policies, int batchDatagrams, Duration batchInterval,
                             Clock clock, Events events) {
        this.store = Objects.requireNonNull(store, "store");
        this.policies = Objects.requireNonNull(policies, "policies");
        if (batchDatagrams < 1) {
            throw new IllegalArgumentException("batchDatagrams must be positive: " + batchDatagrams);
        }
        this.batchDatagrams = batchDatagrams;
        this.batchInterval = Objects.requireNonNull(batchInterval, "batchInterval");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = Objects.requireNonNull(events, "events");
        this.open = new Batch(clock.millis());
        this.committer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tlsrpt-datagram-commit");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, batchInterval.toMillis());
        committer.scheduleWithFixedDelay(this::commitDue, every, every, TimeUnit.MILLISECONDS);
    }

    /** One datagram's payload, as received: counted, or counted as malformed. Never throws for its content. */
    public void accept(byte[] payload) {
        TlsrptDatagram datagram;
        try {
            datagram = decoder.decode(payload);
        } catch (MalformedDatagramException e) {
            rejected(e, payload);
            return;
        }
        events.received();
        Instant now = clock.instant();
        Batch full = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            received++;
            open.add(datagram, now);
            if (open.datagrams >= batchDatagrams) {
                full = open;
                open = new Batch(clock.millis());
            }
        }
        if (full != null) {
            Batch handed = full;
            committer.execute(() -> commit(handed));
        }
    }

    private void rejected(MalformedDatagramException e, byte[] payload) {
        events.malformed(e.reason());
        long before;
        synchronized (this) {
            before = malformed.getOrDefault(e.reason(), 0L);
            malformed.put(e.reason(), before + 1);
        }
        if (before < LOGGED_SAMPLES) {
            LOG.warn("malformed TLSRPT datagram ({}, {} bytes, dropped): {}; datagram: {}", e.reason().label(),
                    payload.length, LogSafe.escape(e.getMessage()),
                    LogSafe.escape(new String(payload, 0, Math.min(payload.length, LogSafe.MAX_LENGTH),
                            StandardCharsets.UTF_8)));
            if (before == LOGGED_SAMPLES - 1) {
                LOG.warn("further malformed TLSRPT datagrams ({}) are counted, not logged", e.reason().label());
            }
        }
    }

    /** Datagrams decoded so far. */
    public synchronized long received() {
        return received;
    }

    /** Malformed datagrams so far, by reason. */
    public synchronized Map<Reason, Long> malformed() {
        return new EnumMap<>(malformed);
    }

    /** The periodic task: hands over a batch open for the interval, then commits everything pending. */
    private void commitDue() {
        Batch due = null;
        synchronized (this) {
            if (open.datagrams > 0 && clock.millis() - open.startedMillis >= batchInterval.toMillis()) {
                due = open;
                open = new Batch(clock.millis());
            }
        }
        if (due != null) {
            commit(due);
        } else {
            commitPending();
        }
    }

    /** Only on the committer thread. */
    private void commit(Batch batch) {
        pending.addLast(batch);
        while (pending.size() > MAX_PENDING_BATCHES) {
            Batch lost = pending.removeFirst();
            LOG.error("{} batches wait for the store; the oldest, with {} datagrams, is dropped", pending.size() + 1,
                    lost.datagrams);
        }
        commitPending();
    }

    private void commitPending() {
        while (!pending.isEmpty()) {
            Batch batch = pending.peekFirst();
            try {
                for (Served served : batch.served.values()) {
                    policies.policyServed(served.domain, served.policy, served.first, served.last);
                }
                store.commit(batch.counts);
            } catch (RuntimeException e) {
                LOG.error("cannot commit {} TLSRPT datagrams ({} batches waiting), retrying in {} ms: {}",
                        batch.datagrams, pending.size(), batchInterval.toMillis(), LogSafe.escape(e.getMessage()));
                return;
            }
            pending.removeFirst();
        }
    }

    /** Commits the open batch and everything pending, then stops; datagrams arriving after are not counted. */
    @Override
    public void close() {
        Batch last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            last = open;
        }
        committer.execute(() -> {
            if (last.datagrams > 0) {
                commit(last);
            } else {
                commitPending();
            }
            if (!pending.isEmpty()) {
                LOG.error("{} TLSRPT datagrams not committed at shutdown: the store did not take them",
                        pending.stream().mapToLong(b -> b.datagrams).sum());
            }
        });
        committer.shutdown();
        try {
            if (!committer.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.error("the last TLSRPT datagram commit did not end within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record ServedKey(String domain, String hash) {
    }

    private static final class Served {
        final String domain;
        final StsPolicy policy;
        Instant first;
        Instant last;

        Served(String domain, StsPolicy policy, Instant at) {
            this.domain = domain;
            this.policy = policy;
            this.first = at.minus(RECEIVE_LAG);
            this.last = at;
        }
    }

    /** Counts of datagrams received together, and the sts policies they name. */
    private static final class Batch {
        final long startedMillis;
        final AggregateBatch counts = new AggregateBatch();
        final Map<ServedKey, Served> served = new LinkedHashMap<>();
        long datagrams;

        Batch(long startedMillis) {
            this.startedMillis = startedMillis;
        }

        void add(TlsrptDatagram datagram, Instant at) {
            datagrams++;
            List<CountedSession> sessions = datagram.counted(LocalDate.ofInstant(at, ZoneOffset.UTC));
            for (int i = 0; i < sessions.size(); i++) {
                CountedSession session = sessions.get(i);
                counts.add(session);
                // the i-th session is the i-th policy's, counted under the hash of its sts policy when it has one
                Optional<StsPolicy> sts = datagram.policies().get(i).stsPolicy();
                if (sts.isPresent()) {
                    Served served = this.served.computeIfAbsent(
                            new ServedKey(session.policyDomain(), session.policy().policyHash()),
                            key -> new Served(session.policyDomain(), sts.get(), at));
                    served.last = at;
                }
            }
        }
    }
}
