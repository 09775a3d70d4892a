package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.text.LogSafe;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PolicyStore} used off the request path: every operation runs in order on one thread of its own, and no
 * failure reaches the caller. A failed write is dropped, a failed read yields its fallback; an outage is logged once
 * when it starts and once when the store works again, and each failed operation is reported to {@code onFailure}.
 */
public final class WriteBehindStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WriteBehindStore.class);

    private final PolicyStore store;
    private final Runnable onFailure;
    // one thread: writes stay in order, and a single SQLite connection suffices
    private final ExecutorService thread;
    private final AtomicBoolean down = new AtomicBoolean();

    public WriteBehindStore(PolicyStore store, Runnable onFailure) {
        this.store = Objects.requireNonNull(store, "store");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "policy-store");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code operation}; {@code what} names it in log lines. */
    public void write(String what, Consumer<PolicyStore> operation) {
        try {
            thread.execute(() -> {
                try {
                    operation.accept(store);
                    succeeded();
                } catch (RuntimeException e) {
                    failed(what, e);
                }
            });
        } catch (RejectedExecutionException closed) {
            log.debug("store closed; not done: {}", LogSafe.escape(what));
        }
    }

    /** Queues {@code operation}; completes with its value, or with {@code fallback} when the store fails. */
    public <T> CompletableFuture<T> read(String what, Function<PolicyStore, T> operation, T fallback) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    T value = operation.apply(store);
                    succeeded();
                    return value;
                } catch (RuntimeException e) {
                    failed(what, e);
                    return fallback;
                }
            }, thread);
        } catch (RejectedExecutionException closed) {
            log.debug("store closed; not done: {}", LogSafe.escape(what));
            return CompletableFuture.completedFuture(fallback);
        }
    }

    /** Completes when every operation queued before this call has run. */
    public CompletableFuture<Void> flush() {
        return CompletableFuture.runAsync(() -> { }, thread);
    }

    private void succeeded() {
        if (down.get() && down.compareAndSet(true, false)) {
            log.info("policy store works again");
        }
    }

    private void failed(String what, RuntimeException e) {
        onFailure.run();
        if (down.compareAndSet(false, true)) {
            log.warn("policy store failed ({}: {}); serving from memory until it works again", LogSafe.escape(what),
                    LogSafe.escape(e.getMessage()));
        } else {
            log.debug("policy store still failing: {}: {}", LogSafe.escape(what), LogSafe.escape(e.getMessage()));
        }
    }

    /** Waits (up to 10 s) for the queued operations, then stops; does not close the store. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("policy store writes still pending after 10 s at shutdown; abandoning them");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
