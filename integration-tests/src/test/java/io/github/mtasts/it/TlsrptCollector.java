package io.github.mtasts.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Our datagram collector as a user runs it: {@code bin/mtasts tlsrpt collect -c FILE} with the built jar, receiving
 * Postfix's TLSRPT datagrams on the configuration's {@code tlsrpt.socket} until stopped with SIGTERM, which commits
 * its last batch.
 */
final class TlsrptCollector implements AutoCloseable {

    private final Path socket;
    private final Path output;
    private final Process process;

    private TlsrptCollector(Path socket, Path output, Process process) {
        this.socket = socket;
        this.output = output;
        this.process = process;
    }

    /** Starts the collector of {@code config} and waits until it receives on {@code socket}. */
    static TlsrptCollector start(Path config, Path socket) {
        Path output = config.resolveSibling("collector.out");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("mtasts.root"), "bin", "mtasts")
                .toString(), "tlsrpt", "collect", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().put("MTASTS_JAR", System.getProperty("mtasts.jar"));
        // the native libraries are unpacked into the world, so a killed collector leaves none in /tmp
        builder.environment().put("MTASTS_JAVA_OPTS", "-Djava.io.tmpdir=" + config.getParent());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
        TlsrptCollector collector = new TlsrptCollector(socket, output, process);
        Waits.until("the collector to receive on " + socket, Waits.GENEROUS, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the collector exited " + process.exitValue() + ":\n"
                        + collector.output());
            }
            return Files.exists(socket);
        });
        return collector;
    }

    /** What the collector printed so far, for failure messages. */
    String output() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the collector with SIGTERM, as systemd would; it commits what it received and removes its socket. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("the collector did not stop within a minute:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.exitValue() != 0 && process.exitValue() != 143) {
            throw new IllegalStateException("the collector exited " + process.exitValue() + ":\n" + output());
        }
    }
}
