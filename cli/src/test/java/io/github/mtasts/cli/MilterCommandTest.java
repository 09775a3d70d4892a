package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MilterCommandTest {

    @TempDir
    Path dir;

    @Test
    void invalidMilterSectionStopsStartUpNamingTheKey() throws Exception {
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, "milter:\n  addresses:\n    tlsrpt@example.com: bounce\n");

        CommandRun result = CommandRun.of(new MilterCommand(List.of()), "-c", config.toString());

        assertThat(result.exitCode()).isEqualTo(MilterCommand.STARTUP_ERROR);
        assertThat(result.err()).contains("milter.addresses.tlsrpt@example.com: expected keep or discard, got \"bounce\"");
    }

    @Test
    void occupiedListenAddressStopsStartUp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = dir.resolve("mtasts.yml");
            Files.writeString(config, "cache:\n  type: sqlite\n  options:\n    filename: " + dir.resolve("cache.db")
                    + "\nmilter:\n  host: 127.0.0.1\n  port: " + taken.getLocalPort() + "\n");

            CommandRun result = CommandRun.of(new MilterCommand(List.of()), "-c", config.toString());

            assertThat(result.exitCode()).isEqualTo(MilterCommand.STARTUP_ERROR);
            assertThat(result.err()).contains("cannot listen for Postfix on");
        }
    }
}
