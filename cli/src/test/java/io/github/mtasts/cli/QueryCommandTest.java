package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.config.DaneMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QueryCommandTest {

    @TempDir
    Path dir;

    private record Call(ZoneConfig zone, String domain, String knownVersion) {
    }

    private final List<Call> calls = new ArrayList<>();

    private CommandRun run(String... args) {
        QueryRunner runner = (config, zone, domain, knownVersion) -> {
            calls.add(new Call(zone, domain, knownVersion.orElse(null)));
            return 0;
        };
        return CommandRun.of(new QueryCommand(runner, List.of(dir.resolve("absent.yml"))), args);
    }

    @Test
    void domainAloneUsesTheDefaultZone() {
        CommandRun result = run("example.com");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(calls).containsExactly(new Call(ZoneConfig.DEFAULT, "example.com", null));
    }

    @Test
    void knownVersionIsTheSecondArgument() {
        assertThat(run("-v", "debug", "example.com", "20240101T000000").exitCode()).isZero();

        assertThat(calls).containsExactly(new Call(ZoneConfig.DEFAULT, "example.com", "20240101T000000"));
    }

    @Test
    void zoneOptionSelectsThatZoneOfTheConfig() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yml"), "zones:\n  strict: {strict_testing: true, timeout: 2}\n");

        assertThat(run("-c", config.toString(), "--zone", "strict", "example.com").exitCode()).isZero();

        assertThat(calls).containsExactly(
                new Call(new ZoneConfig(true, Duration.ofSeconds(2), true, false, DaneMode.AUTO), "example.com", null));
    }

    @Test
    void unknownZoneIsAnErrorListingTheZones() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yml"), "zones:\n  strict: {}\n  relaxed: {}\n");

        CommandRun result = run("-c", config.toString(), "--zone", "strcit", "example.com");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("no zone 'strcit' in " + config + "; zones: strict, relaxed");
        assertThat(calls).isEmpty();
    }

    @Test
    void badConfigIsAnErrorNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yml"), "default_zone: {timeout: -1}\n");

        CommandRun result = run("-c", config.toString(), "example.com");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(config + ": default_zone.timeout: expected a positive number, got -1");
        assertThat(calls).isEmpty();
    }

    @Test
    void missingDomainOrExtraArgumentIsAUsageError() {
        assertThat(run().exitCode()).isEqualTo(2);
        assertThat(run("a.example", "id1", "extra").exitCode()).isEqualTo(2);
        assertThat(calls).isEmpty();
    }
}
