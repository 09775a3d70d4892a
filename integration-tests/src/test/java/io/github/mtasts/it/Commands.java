package io.github.mtasts.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs external commands (postfix, postmap, sendmail, chown) with a time limit and captured output. */
final class Commands {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** For a build from source on a busy machine: a guard against a hang, far above the minute or two it takes. */
    private static final Duration BUILD_LIMIT = Duration.ofMinutes(20);

    private Commands() {
    }

    /** What a finished command printed and returned. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        String describe() {
            return String.join(" ", command) + " exited " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    /** Runs {@code command} with {@code stdin} as its input; a command still running after a minute is killed. */
    static Result runWithInput(String stdin, String... command) {
        return run(stdin, Map.of(), List.of(command), LIMIT);
    }

    /** Runs {@code command}, a build, with a limit of {@link #BUILD_LIMIT}. */
    static Result runLong(List<String> command) {
        return run("", Map.of(), command, BUILD_LIMIT);
    }

    /**
     * {@code bin/mtasts ARGS} of the repository under test with the built jar, after {@code prefix} (such as
     * {@code faketime -f +1d}) and with {@code environment} added.
     */
    static Result mtasts(List<String> prefix, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("mtasts.root"), "bin", "mtasts").toString());
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(environment);
        env.put("MTASTS_JAR", System.getProperty("mtasts.jar"));
        return run("", env, command, LIMIT);
    }

    private static Result run(String stdin, Map<String, String> environment, List<String> command, Duration limit) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("cmd", ".out");
            err = Files.createTempFile("cmd", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " still running after " + limit);
            }
            return new Result(List.copyOf(command), process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    static Result run(String... command) {
        return runWithInput("", command);
    }

    /** Runs {@code command} and fails with its output unless it exits 0. */
    static Result check(String... command) {
        Result result = run(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.describe());
        }
        return result;
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless; the wrapper removes the whole world afterwards anyway
            }
        }
    }
}
