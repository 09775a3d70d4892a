package io.github.mtasts.cli;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT for a command that reads until stopped: {@link #stopping()} opens when the signal comes (or a
 * reader gives up and opens it), and the JVM's exit waits until {@link #done()} says what was read is committed.
 */
final class StopSignal {
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Registers the shutdown hook, a thread named {@code threadName}. */
    StopSignal(String threadName) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadName));
    }

    /** Opens once the command is to stop. */
    CountDownLatch stopping() {
        return stopping;
    }

    /** Lets the JVM exit: everything read is committed. */
    void done() {
        stopped.countDown();
    }
}
