package io.github.mtasts.it;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling. The limits are generous guards against hangs, never assertions about speed: a probe that
 * never succeeds fails the test with a description of what did not happen.
 */
final class Waits {

    static final Duration GENEROUS = Duration.ofSeconds(60);

    private static final long POLL_MILLIS = 100;

    private Waits() {
    }

    static <T> T until(String what, Duration limit, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up after " + limit.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    static void until(String what, Duration limit, BooleanSupplier condition) {
        until(what, limit, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }
}
