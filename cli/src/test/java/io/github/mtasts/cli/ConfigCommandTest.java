package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigCommandTest {

    @TempDir
    Path dir;

    @Test
    void checkIsRegisteredInMainAndPrintsTheConfigurationInForce() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yml"), "port: 18461\nzones:\n  strict: {strict_testing: true}\n");

        CommandRun result = CommandRun.of(new Main(), "config", "check", "-c", config.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("# " + config + ": valid");
        assertThat(result.out()).contains("port: 18461", "cache_grace: 60", "filename: /var/lib/mtasts/cache.db");
        assertThat(ConfigLoader.parse("printed", result.out())).isEqualTo(ConfigLoader.parse(ConfigDocument.read(config)));
    }

    @Test
    void checkPrintsTheDaneKeysAndWarnsWhenTheResolverCannotBeTrusted() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yml"), "dns: {nameservers: [\"192.0.2.53\"]}\n"
                + "zones:\n  dane: {dane: on}\n  sts: {dane: off}\n");

        CommandRun result = CommandRun.of(new Main(), "config", "check", "-c", config.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("dane: \"on\"", "dane: \"off\"", "dane: auto", "validation: resolver");
        assertThat(result.err()).contains("warning: dane will be off in every zone: resolver /192.0.2.53:53 is not"
                + " on loopback");
        assertThat(ConfigLoader.parse("printed", result.out())).isEqualTo(ConfigLoader.parse(ConfigDocument.read(config)));
    }

    @Test
    void checkOfABadFileExitsTwoWithTheReason() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yml"), "cache:\n  type: memcached\n");

        CommandRun result = CommandRun.of(new Main(), "config", "check", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("mtasts config check: " + config + ": cache.type: expected one of");
    }

    @Test
    void checkRefusesMetricsOffLoopbackWithoutCredentialsNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yml"), "http: {host: 0.0.0.0}\nmetrics: {enabled: true}\n");
        Path guarded = Files.writeString(dir.resolve("guarded.yml"),
                "http: {host: 0.0.0.0}\nmetrics: {enabled: true}\ndashboard: {token: s3cret}\n");

        CommandRun refused = CommandRun.of(new Main(), "config", "check", "-c", config.toString());
        CommandRun accepted = CommandRun.of(new Main(), "config", "check", "-c", guarded.toString());

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("mtasts config check: " + config + ": http.host: /metrics on 0.0.0.0,"
                + " which is not a loopback address, needs dashboard.token or dashboard.username and password");
        assertThat(accepted.exitCode()).as(accepted.err()).isZero();
    }

    @Test
    void checkWithoutAnyFilePrintsTheBuiltInDefaults() throws Exception {
        Path absent = dir.resolve("absent.yml");

        CommandRun result = CommandRun.of(new ConfigCommand.Check(List.of(absent)));

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("# no configuration file (looked for " + absent + ")");
        assertThat(ConfigLoader.parse("printed", result.out())).isEqualTo(DaemonConfig.defaults());
    }

    @Test
    void configAloneShowsItsSubcommands() {
        CommandRun result = CommandRun.of(new Main(), "config");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("check");
    }
}
