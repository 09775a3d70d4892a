package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Runs the repository's {@code bin/} launchers as a user does, in their own process. The shaded jar is built
 * only after the tests, so {@code MTASTS_JAR} names a jar holding nothing but a manifest: {@code Main} as its
 * main class and this test run's class path as its {@code Class-Path}. The launcher, {@code java -jar},
 * {@code Main.main} and its {@code System.exit} code are the real ones.
 */
final class Launchers {

    static final Path BIN = Path.of("..", "bin").toAbsolutePath().normalize();

    private static Path jar;

    private Launchers() {
    }

    /** What a launcher printed and its exit code. */
    record Result(int exitCode, String out, String err) {
    }

    /** Runs {@code bin/<launcher> args...} with nothing on standard input. */
    static Result run(String launcher, String... args) {
        return runWithStdin(launcher, "", args);
    }

    /** Runs {@code bin/<launcher> args...} with {@code stdin} on its standard input. */
    static Result runWithStdin(String launcher, String stdin, String... args) {
        return run(Map.of(), launcher, stdin, args);
    }

    /** Runs {@code bin/<launcher> args...} with {@code env} added to its environment. */
    static Result run(Map<String, String> env, String launcher, String stdin, String... args) {
        Process process = start(env, launcher, args);
        try {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            String out = readAll(process.getInputStream());
            // the streams ended, so the process has exited or is about to; the bound only guards against a hang
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("bin/%s exited", launcher).isTrue();
            return new Result(process.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readAll(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code bin/<launcher> args...}; the caller reads its output and ends it. Standard error is kept
     * apart from standard output, and the caller must drain both (or close them) to avoid blocking the process.
     */
    static Process start(String launcher, String... args) {
        return start(Map.of(), launcher, args);
    }

    /** As {@link #start(String, String...)}, with {@code env} added to the launcher's environment. */
    static Process start(Map<String, String> env, String launcher, String... args) {
        List<String> command = new ArrayList<>();
        command.add(BIN.resolve(launcher).toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("MTASTS_JAR", jar().toString());
        // no class data sharing archive: bin/mtasts would otherwise train one in the background
        builder.environment().put("MTASTS_CDS_ARCHIVE", "off");
        builder.environment().remove("MTASTS_JAVA_OPTS");
        builder.environment().putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path jar() {
        if (jar == null) {
            try {
                Path dir = Files.createTempDirectory("mtasts-launchers");
                Manifest manifest = new Manifest();
                Attributes attributes = manifest.getMainAttributes();
                attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
                attributes.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
                attributes.put(Attributes.Name.CLASS_PATH, Arrays.stream(
                                System.getProperty("java.class.path").split(File.pathSeparator))
                        .map(entry -> Path.of(entry).toAbsolutePath().toUri().toString())
                        .collect(Collectors.joining(" ")));
                Path file = dir.resolve("mtasts.jar");
                try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), manifest)) {
                    out.finish();
                }
                file.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                jar = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jar;
    }
}
