package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The namespace wrapper ({@code src/test/netns-jvm/bin/java}) as a run uses it, with a namespace and world
 * directory of its own: a run killed with SIGKILL (wrapper and test JVM alike, so no trap or shutdown hook runs)
 * leaves its namespace, processes and files behind, and the next run removes all of them before it starts its
 * own world, which it removes in turn when its JVM dies without closing anything.
 */
@ExtendWith(MailWorldExtension.class)
class WorldTearDownTest {

    private static final String NAMESPACE = "mtasts-it-teardown";
    private static final Path WORLD_DIR = Path.of("/tmp/mtasts-it-teardown");
    private static final Duration WORLD_START = Duration.ofMinutes(3);

    @Test
    void nextRunRemovesWhatAKilledRunLeftAndLeavesNothingOfItsOwn(MailWorld world) throws Exception {
        Path outputs = world.newDirectory("teardown");
        Files.createDirectories(outputs);
        List<ProcessHandle> started = new ArrayList<>();
        try {
            Process killedRun = startRun(outputs.resolve("killed-run.out"));
            started.add(killedRun.toHandle());
            ProcessHandle killedJvm = awaitWorld(killedRun, outputs.resolve("killed-run.out"));
            started.add(killedJvm);
            List<ProcessHandle> leftovers = processesIn(NAMESPACE);

            killedRun.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            killedJvm.destroyForcibly();
            Waits.until("the killed test JVM to die", Waits.GENEROUS, () -> !killedJvm.isAlive());

            List<ProcessHandle> orphans = leftovers.stream().filter(ProcessHandle::isAlive).toList();
            assertThat(orphans).as("processes the killed run left in its namespace: " + describe(orphans))
                    .anyMatch(p -> commandEndsWith(p, "/master"))
                    .anyMatch(p -> commandEndsWith(p, "/dnsmasq"))
                    .anyMatch(p -> commandEndsWith(p, "/java"));
            assertThat(namespaces()).contains(NAMESPACE);
            assertThat(Path.of("/etc/netns", NAMESPACE, "resolv.conf")).exists();
            assertThat(WORLD_DIR.resolve("mx/maillog")).exists();

            Process nextRun = startRun(outputs.resolve("next-run.out"));
            started.add(nextRun.toHandle());
            ProcessHandle nextJvm = awaitWorld(nextRun, outputs.resolve("next-run.out"));
            started.add(nextJvm);
            assertThat(orphans).as("processes of the killed run once the next run is up: " + describe(orphans))
                    .noneMatch(ProcessHandle::isAlive);
            List<ProcessHandle> nextWorld = processesIn(NAMESPACE);
            assertThat(nextWorld).anyMatch(p -> commandEndsWith(p, "/master"));

            // the next run ends without closing its world, like a test JVM that crashed or was killed by surefire
            nextJvm.destroy();
            assertThat(nextRun.waitFor(2, TimeUnit.MINUTES)).as("the wrapper to finish after its JVM died").isTrue();

            // a killed process stays visible until init has reaped it: wait for that, bounded
            Waits.until("the processes of the next run to be gone, of those alive when it ended: "
                    + describe(nextWorld), Waits.GENEROUS, () -> nextWorld.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(namespaces()).doesNotContain(NAMESPACE);
            assertThat(Path.of("/run/netns", NAMESPACE)).doesNotExist();
            assertThat(Path.of("/etc/netns", NAMESPACE)).doesNotExist();
            assertThat(WORLD_DIR).doesNotExist();
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
            removeEverything(outputs.resolve("cleanup.out"));
        }
    }

    /** The wrapper running {@link WorldProcess} in a JVM like the one surefire forks. */
    private static Process startRun(Path output) throws IOException {
        return wrapper(output, "-cp", System.getProperty("java.class.path"),
                "-Dmtasts.root=" + System.getProperty("mtasts.root"),
                "-Dmtasts.jar=" + System.getProperty("mtasts.jar"), WorldProcess.class.getName());
    }

    private static Process wrapper(Path output, String... javaArguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("mtasts.root"), "integration-tests", "src", "test", "netns-jvm", "bin",
                "java").toString());
        command.addAll(List.of(javaArguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("MTASTS_IT_NETNS", NAMESPACE);
        builder.environment().put("MTASTS_IT_DIR", WORLD_DIR.toString());
        builder.environment().put("MTASTS_IT_JAVA", ProcessHandle.current().info().command().orElseThrow());
        builder.environment().remove("MTASTS_IT_KEEP");
        return builder.start();
    }

    /** Waits for the run's world to be up and returns its test JVM (the wrapper's only child). */
    private static ProcessHandle awaitWorld(Process run, Path output) {
        Waits.until("the world of a run in namespace " + NAMESPACE, WORLD_START, () -> {
            if (!run.isAlive()) {
                throw new IllegalStateException("the run ended with " + run.exitValue() + ":\n" + read(output));
            }
            return read(output).contains(WorldProcess.READY);
        });
        return Waits.until("the test JVM of the run", Waits.GENEROUS,
                () -> run.toHandle().children().filter(p -> commandEndsWith(p, "/java")).findFirst());
    }

    /** Whatever a failed assertion left running: a run of the wrapper clears it before and after. */
    private static void removeEverything(Path output) throws IOException, InterruptedException {
        Process cleanup = wrapper(output, "-version");
        if (!cleanup.waitFor(2, TimeUnit.MINUTES)) {
            cleanup.destroyForcibly();
        }
        Files.deleteIfExists(Path.of("/tmp/" + NAMESPACE + ".lock"));
    }

    private static List<ProcessHandle> processesIn(String namespace) {
        Commands.Result pids = Commands.check("ip", "netns", "pids", namespace);
        return pids.stdout().lines().map(Long::parseLong).map(ProcessHandle::of).flatMap(Optional::stream).toList();
    }

    private static List<String> namespaces() {
        return Commands.check("ip", "netns", "list").stdout().lines().map(line -> line.split(" ")[0]).toList();
    }

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList().toString();
    }

    private static boolean commandEndsWith(ProcessHandle process, String suffix) {
        return process.info().command().map(command -> command.endsWith(suffix)).orElse(false);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
