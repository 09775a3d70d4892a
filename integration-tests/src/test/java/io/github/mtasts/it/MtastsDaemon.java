package io.github.mtasts.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Our daemon as a user runs it: {@code bin/mta-sts-daemon -c FILE} from the repository root ({@code mtasts.root})
 * with the built jar ({@code mtasts.jar}), inside the world's namespace, so it resolves through the test DNS
 * and trusts the test CA via {@code ca_file}. Listens on 127.0.0.1:8461 like the Python daemon
 * unless a test needs a second one.
 */
public final class MtastsDaemon implements AutoCloseable {

    private final Path config;
    private final Path output;
    private final int port;
    private Process process;

    private MtastsDaemon(Path config, Path output, int port) {
        this.config = config;
        this.output = output;
        this.port = port;
    }

    /**
     * Writes a configuration with the sqlite store in {@code dir} (kept across restarts of this daemon), a
     * {@code postfix} default zone and a {@code strict} zone with {@code strict_testing}, and starts the daemon.
     */
    public static MtastsDaemon start(MailWorld world, Path dir) {
        return start(world, dir, MailWorld.SOCKETMAP_PORT);
    }

    /** Like {@link #start(MailWorld, Path)}, on another port, for a second daemon beside the first. */
    public static MtastsDaemon start(MailWorld world, Path dir, int port) {
        return start(world, dir, port, List.of());
    }

    /**
     * A daemon for the DANE scenarios (issue 15): zone {@code dane} ({@code dane: on}) for a Postfix that does DNSSEC
     * through the world's validating resolver, zone {@code nodane} ({@code dane: off}) for one that does not.
     */
    public static MtastsDaemon startDane(MailWorld world, Path dir) {
        return start(world, dir, MailWorld.SOCKETMAP_PORT, """
                  dane:
                    dane: "on"
                    timeout: 10
                  nodane:
                    dane: "off"
                    timeout: 10
                """);
    }

    /** A zone of the daemon's configuration ({@code zones.<name>}), with the keys the tests vary. */
    public record Zone(String name, boolean strictTesting, boolean requireSni, boolean tlsrpt) {

        String yaml() {
            return """
                      %s:
                        strict_testing: %s
                        require_sni: %s
                        tlsrpt: %s
                        timeout: 10
                    """.formatted(name, strictTesting, requireSni, tlsrpt);
        }
    }

    /** Like {@link #start(MailWorld, Path, int)}, with {@code extraZones} beside {@code postfix} and {@code strict}. */
    public static MtastsDaemon start(MailWorld world, Path dir, int port, List<Zone> extraZones) {
        return start(world, dir, port, """
                  strict:
                    strict_testing: true
                    timeout: 10
                """ + extraZones.stream().map(Zone::yaml).collect(Collectors.joining()));
    }

    private static MtastsDaemon start(MailWorld world, Path dir, int port, String zones) {
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("mtasts.yml");
            Files.writeString(config, """
                    host: %s
                    port: %d
                    ca_file: %s
                    cache:
                      type: sqlite
                      options:
                        filename: %s
                    default_zone:
                      strict_testing: false
                      timeout: 10
                    zones:
                    """.formatted(MailWorld.SOCKETMAP_HOST, port, world.caFile(), dir.resolve("cache.db")) + zones);
            MtastsDaemon daemon = new MtastsDaemon(config, dir.resolve("daemon.out"), port);
            daemon.startProcess();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure the daemon in " + dir, e);
        }
    }

    /** Stops the daemon (SIGTERM) and starts it again with the same configuration and store. */
    public void restart() {
        stop();
        startProcess();
    }

    /** Stops the daemon with SIGTERM, as systemd would, and waits until its port is closed. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        Waits.until("port " + port + " to close", Waits.GENEROUS, () -> !accepting());
    }

    private void startProcess() {
        String root = System.getProperty("mtasts.root");
        String jar = System.getProperty("mtasts.jar");
        if (root == null || jar == null) {
            throw new IllegalStateException("system properties mtasts.root and mtasts.jar are set by integration-tests/pom.xml");
        }
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " not found: build it first (mvn -B verify builds it before these tests)");
        }
        ProcessBuilder builder = new ProcessBuilder(Path.of(root, "bin", "mta-sts-daemon").toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().put("MTASTS_JAR", jar);
        // native libraries (sqlite, netty) are unpacked into the world, so even a killed daemon leaves none in /tmp
        builder.environment().put("MTASTS_JAVA_OPTS", "-Djava.io.tmpdir=" + output.getParent());
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
        Waits.until("the daemon to accept connections on port " + port, Waits.GENEROUS, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the daemon exited " + process.exitValue() + ":\n" + output());
            }
            return accepting();
        });
    }

    /** What the daemon printed so far (stdout and stderr), for failure messages. */
    public String output() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Postfix table for zone {@code zone} of this daemon. */
    public String table(String zone) {
        return "socketmap:inet:" + MailWorld.SOCKETMAP_HOST + ":" + port + ":" + zone;
    }

    private boolean accepting() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(MailWorld.SOCKETMAP_HOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
