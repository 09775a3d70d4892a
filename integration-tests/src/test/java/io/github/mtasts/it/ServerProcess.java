package io.github.mtasts.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server of the world run in the foreground, ready once its log shows a line, stopped with SIGTERM. */
final class ServerProcess implements AutoCloseable {

    private final String name;
    private final Process process;

    private ServerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /** Starts {@code command}, its output in {@code output}, and waits until {@code log} contains {@code ready}. */
    static ServerProcess start(String name, List<String> command, Path output, Path log, String ready) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        ServerProcess server = new ServerProcess(name, process);
        Waits.until(name + " to start (" + log + ")", Waits.GENEROUS, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited " + process.exitValue() + ": " + read(output)
                        + read(log));
            }
            return read(log).contains(ready);
        });
        return server;
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted stopping " + name, e);
        }
    }
}
