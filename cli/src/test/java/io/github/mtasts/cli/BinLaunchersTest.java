package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/mtasts and the drop-in names of the Python tool's commands, run as a user runs them. */
class BinLaunchersTest {

    private static final Pattern LISTENING = Pattern.compile("answering socketmap requests on .*:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void mtastsHelpListsTheSubcommands() {
        Launchers.Result run = Launchers.run("mtasts", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: mtasts ")
                .contains("lint", "config", "check", "tlsrpt", "milter", "daemon", "query", "cache");
    }

    @Test
    void mtastsCacheExitCodeAndMessageReachTheShell() throws IOException {
        Path store = dir.resolve("absent.db");
        Path config = Files.writeString(dir.resolve("mtasts.yml"),
                "cache: {type: sqlite, options: {filename: " + store + "}}\n");

        Launchers.Result run = Launchers.run("mtasts", "cache", "list", "-c", config.toString());

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).contains("mtasts cache list: cannot open the sqlite policy store: " + store
                + " does not exist");
    }

    @Test
    void mtastsWithoutTheJarExitsTwoSayingHowToBuildIt() {
        Path absent = dir.resolve("mtasts.jar");

        Launchers.Result run = Launchers.run(Map.of("MTASTS_JAR", absent.toString()), "mtasts", "", "--help");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("mtasts: " + absent + " not found; build it first: mvn -B -DskipTests package\n");
    }

    @Test
    void mtaStsDaemonIsTheDaemonCommand() {
        Launchers.Result run = Launchers.run("mta-sts-daemon", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: mtasts daemon ").contains("--config");
    }

    @Test
    void mtaStsQueryIsTheQueryCommand() {
        Launchers.Result run = Launchers.run("mta-sts-query", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: mtasts query ");
    }

    @Test
    void mtaStsQueryAnswersAnAddressLiteralWithNotFound() throws IOException {
        Path config = Files.writeString(dir.resolve("mtasts.yml"), "host: 127.0.0.1\n");

        Launchers.Result run = Launchers.run("mta-sts-query", "-c", config.toString(), "[192.0.2.1]");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).startsWith("postfix reply: NOTFOUND (no lookup: ");
    }

    @Test
    void mtaStsDaemonServesPostfixOverSocketmap() throws Exception {
        Path config = Files.writeString(dir.resolve("mtasts.yml"), "host: 127.0.0.1\nport: 0\nshutdown_timeout: 1\n"
                + "cache: {type: sqlite, options: {filename: " + dir.resolve("cache.db") + "}}\n");
        Path log = dir.resolve("daemon.log");
        Process daemon = Launchers.start("mta-sts-daemon", "-c", config.toString(), "-l", log.toString());
        try {
            daemon.getOutputStream().close();
            int port = listeningPort(daemon, log);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write("19:postfix [192.0.2.1],".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("9:NOTFOUND ,");
            }
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    /**
     * Issue #17 item 4: the daemon runs with the launcher's JVM settings for a daemon, read back from the running
     * JVM (jcmd VM.flags): before them it took a quarter of the machine for an 11 MiB live heap.
     */
    @Test
    void theDaemonRunsWithTheLaunchersJvmSettings() throws Exception {
        withDaemon(Map.of(), (pid, port) -> {
            assertThat(flags(pid)).contains("-XX:+UseSerialGC", "-XX:InitialHeapSize=16777216",
                    "-XX:MaxHeapSize=268435456", "-XX:NewSize=8388608", "-XX:MaxNewSize=8388608",
                    "-XX:TrimNativeHeapInterval=5000", "-XX:-TieredCompilation");
            assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"))
                    .contains("-Dio.netty.jfr.enabled=false");
            assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0"))
                    .contains("MALLOC_ARENA_MAX=2");
        });
    }

    @Test
    void mtastsJavaOptsOverrideTheLaunchersSettingsAndMayNameAnotherCollector() throws Exception {
        withDaemon(Map.of("MTASTS_JAVA_OPTS", "-Xmx300m -XX:+UseG1GC"), (pid, port) -> {
            List<String> flags = flags(pid);
            assertThat(flags).contains("-XX:MaxHeapSize=314572800", "-XX:+UseG1GC").doesNotContain("-XX:+UseSerialGC");
        });
    }

    @Test
    void jvmDefaultsOffLeavesTheJvmsOwnSettings() throws Exception {
        withDaemon(Map.of("MTASTS_JVM_DEFAULTS", "off"), (pid, port) -> {
            List<String> commandLine = List.of(
                    Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
            assertThat(commandLine).contains("-jar").doesNotContain("-XX:+UseSerialGC", "-Xms16m", "-Xmx256m");
        });
    }

    private interface DaemonCheck {
        void check(long pid, int port) throws Exception;
    }

    /** Starts bin/mta-sts-daemon with {@code env} (the launchers exec, so its pid is the JVM's), checks it, stops it. */
    private void withDaemon(Map<String, String> env, DaemonCheck check) throws Exception {
        Path config = Files.writeString(dir.resolve("flags.yml"), "host: 127.0.0.1\nport: 0\nshutdown_timeout: 1\n"
                + "cache: {type: sqlite, options: {filename: " + dir.resolve("flags.db") + "}}\n");
        Path log = dir.resolve("flags-" + System.nanoTime() + ".log");
        Process daemon = Launchers.start(env, "mta-sts-daemon", "-c", config.toString(), "-l", log.toString());
        try {
            daemon.getOutputStream().close();
            check.check(daemon.pid(), listeningPort(daemon, log));
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    /** The running JVM's non-default flags, as {@code jcmd PID VM.flags} prints them. */
    private static List<String> flags(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "VM.flags").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // bounds a stuck attach, not a timing assertion
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).as("jcmd exited").isTrue();
        assertThat(jcmd.exitValue()).as(out).isZero();
        return List.of(out.trim().split("\\s+"));
    }

    /** The port from the daemon's log line; fails if the daemon exits first. */
    private static int listeningPort(Process daemon, Path log) throws Exception {
        // bounds the wait on a stuck start, it is not a timing assertion
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher matcher = LISTENING.matcher(Files.readString(log));
                if (matcher.find()) {
                    return Integer.parseInt(matcher.group(1));
                }
            }
            assertThat(daemon.isAlive()).as("daemon still running; log: %s",
                    Files.exists(log) ? Files.readString(log) : "(none)").isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("the daemon did not log its port: " + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }
}
