package io.github.mtasts.cli;

import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.SourceOffset;
import io.github.mtasts.tlsrpt.ingest.Ingest;
import io.github.mtasts.tlsrpt.ingest.JournalctlSource;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A {@code journald:} source of {@code tlsrpt ingest} and {@code tlsrpt run}: starts {@code journalctl} where the
 * stored cursor says and counts its output. Following, it stops journalctl when told to; the entries read by then
 * are committed with their cursor.
 */
final class JournalctlRun {
    private static final long STOP_CHECK_MILLIS = 250;

    private JournalctlRun() {
    }

    static void run(Ingest ingest, AggregateStore store, JournalctlSource journal, boolean follow,
                    BooleanSupplier keepGoing) throws IOException, InterruptedException {
        SourceOffset stored = store.offset(journal.id()).orElse(new SourceOffset(0, 0));
        List<String> command = journal.command(stored.cursor(), stored.replay(), stored.committed(), follow);
        Process process = JournalctlSource.start(command);
        AtomicBoolean stoppedByUs = new AtomicBoolean();
        if (follow) {
            Thread stopper = new Thread(() -> {
                try {
                    while (keepGoing.getAsBoolean() && process.isAlive()) {
                        Thread.sleep(STOP_CHECK_MILLIS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (process.isAlive()) {
                    stoppedByUs.set(true);
                    process.destroy();
                }
            }, "journalctl-stop");
            stopper.setDaemon(true);
            stopper.start();
        }
        try {
            ingest.importJournal(journal.id(), process.getInputStream());
        } finally {
            if (process.isAlive()) {
                stoppedByUs.set(true);
                process.destroy();
            }
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.MINUTES);
            }
        }
        if (process.exitValue() != 0 && !stoppedByUs.get()) {
            throw new IOException(String.join(" ", command) + ": exited with status " + process.exitValue());
        }
    }
}
