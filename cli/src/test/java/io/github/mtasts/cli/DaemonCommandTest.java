package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DaemonCommandTest {

    @TempDir
    Path dir;

    /** Records what the command hands over; the real runner is wired by the lead engineer. */
    private final List<DaemonConfig> received = new ArrayList<>();
    private final List<Optional<Path>> receivedFiles = new ArrayList<>();
    private int runnerExitCode = 0;

    private CommandRun run(String... args) {
        Path ours = dir.resolve("etc-mtasts.yml");
        Path python = dir.resolve("etc-mta-sts-daemon.yml");
        DaemonRunner runner = (config, file) -> {
            received.add(config.daemon());
            receivedFiles.add(file);
            return runnerExitCode;
        };
        return CommandRun.of(new DaemonCommand(runner, List.of(ours, python)), args);
    }

    private Path write(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void pythonDaemonShortOptionsAreAccepted() throws Exception {
        Path config = write("c.yml", "port: 18461\n");
        Path log = dir.resolve("daemon.log");
        Path pid = dir.resolve("daemon.pid");

        CommandRun result = run("-c", config.toString(), "-v", "debug", "-l", log.toString(), "-p", pid.toString(),
                "--disable-uvloop");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(received).singleElement().extracting(DaemonConfig::port).isEqualTo(18461);
        assertThat(receivedFiles).containsExactly(Optional.of(config));
        assertThat(Files.readString(pid)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(Files.readString(log)).contains("configuration loaded from " + config);
    }

    @Test
    void pythonDaemonLongOptionsAreAccepted() throws Exception {
        Path config = write("c.yml", "default_zone: {timeout: 9}\n");
        Path log = dir.resolve("daemon.log");
        Path pid = dir.resolve("daemon.pid");

        CommandRun result = run("--config", config.toString(), "--verbosity", "warn", "--logfile", log.toString(),
                "--pidfile", pid.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(received).singleElement()
                .extracting(c -> c.defaultZone().timeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(pid).exists();
        // warn hides the info line about the configuration
        assertThat(log).isEmptyFile();
    }

    @Test
    void badConfigExitsTwoWithThePreciseMessageAndRunsNothing() throws Exception {
        Path config = write("bad.yml", "zones:\n  strict:\n    timeout: fast\n");
        Path pid = dir.resolve("daemon.pid");

        CommandRun result = run("-c", config.toString(), "-p", pid.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(
                "mtasts daemon: " + config + ": zones.strict.timeout: expected a positive number, got \"fast\"");
        assertThat(received).isEmpty();
        assertThat(pid).doesNotExist();
    }

    @Test
    void contradictoryOverridesOrAnInvalidPreloadStopStartUpNamingTheKey() throws Exception {
        Path overrides = write("overrides.yml", "overrides:\n  example.com: dane-only\n  Example.COM.: none\n");
        Path preload = write("preload.yml", "preload: [gmail.com, 192.0.2.1]\n");

        CommandRun contradiction = run("-c", overrides.toString());
        CommandRun invalid = run("-c", preload.toString());

        assertThat(contradiction.exitCode()).isEqualTo(2);
        assertThat(contradiction.err()).contains("mtasts daemon: " + overrides + ": overrides.Example.COM.: the same"
                + " domain as overrides.example.com, which answers dane-only, not none: one answer per domain");
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err()).contains("mtasts daemon: " + preload + ": preload[1]: not a valid policy domain");
        assertThat(received).isEmpty();
    }

    @Test
    void missingExplicitConfigExitsTwo() {
        Path config = dir.resolve("absent.yml");

        CommandRun result = run("-c", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(config + ": no such file");
        assertThat(received).isEmpty();
    }

    @Test
    void withoutDashCOurDefaultFileIsRead() throws Exception {
        write("etc-mtasts.yml", "port: 1111\n");
        write("etc-mta-sts-daemon.yml", "port: 2222\n");

        assertThat(run().exitCode()).isZero();

        assertThat(received).singleElement().extracting(DaemonConfig::port).isEqualTo(1111);
    }

    @Test
    void withoutDashCThePythonDefaultFileIsReadWhenOursIsAbsent() throws Exception {
        Path python = write("etc-mta-sts-daemon.yml", "port: 2222\n");

        assertThat(run().exitCode()).isZero();

        assertThat(received).singleElement().extracting(DaemonConfig::port).isEqualTo(2222);
        assertThat(receivedFiles).containsExactly(Optional.of(python));
    }

    @Test
    void withoutAnyFileTheBuiltInDefaultsRun() {
        assertThat(run().exitCode()).isZero();

        assertThat(received).containsExactly(DaemonConfig.defaults());
        assertThat(receivedFiles).containsExactly(Optional.empty());
    }

    @Test
    void runnerExitCodeIsTheProcessExitCode() {
        runnerExitCode = 75;

        assertThat(run().exitCode()).isEqualTo(75);
    }

    @Test
    void unknownVerbosityIsAUsageError() {
        CommandRun result = run("-v", "INFO");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'INFO' is not a valid level; expected one of debug, info, warn, error,"
                + " fatal, crit");
        assertThat(received).isEmpty();
    }

    @Test
    void userAndGroupSwitchingIsRefusedWithTheAlternative() {
        CommandRun user = run("-u", "mtasts");
        CommandRun group = run("--group", "mtasts");

        assertThat(user.exitCode()).isEqualTo(2);
        assertThat(user.err()).contains("--user is not supported", "systemd User=");
        assertThat(group.exitCode()).isEqualTo(2);
        assertThat(group.err()).contains("--group is not supported");
        assertThat(received).isEmpty();
    }

    @Test
    void helpNamesBothDefaultConfigFiles() {
        CommandRun result = run("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("/etc/mtasts/mtasts.yml", "/etc/mta-sts-daemon.yml", "--disable-uvloop");
    }
}
