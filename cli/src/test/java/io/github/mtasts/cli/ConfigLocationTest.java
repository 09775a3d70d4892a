package io.github.mtasts.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigLocationTest {

    @TempDir
    Path dir;

    @Test
    void explicitFileWinsEvenWhenItDoesNotExist() throws Exception {
        Path ours = Files.writeString(dir.resolve("ours.yml"), "");
        Path explicit = dir.resolve("absent.yml");

        assertThat(ConfigLocation.resolve(explicit, List.of(ours))).contains(explicit);
    }

    @Test
    void firstExistingDefaultIsTaken() throws Exception {
        Path ours = dir.resolve("ours.yml");
        Path python = Files.writeString(dir.resolve("python.yml"), "");

        assertThat(ConfigLocation.resolve(null, List.of(ours, python))).contains(python);
        Files.writeString(ours, "");
        assertThat(ConfigLocation.resolve(null, List.of(ours, python))).contains(ours);
    }

    @Test
    void noFileMeansBuiltInDefaults() {
        assertThat(ConfigLocation.resolve(null, List.of(dir.resolve("a.yml"), dir.resolve("b.yml")))).isEmpty();
    }

    @Test
    void defaultsAreOursThenThePythonDaemons() {
        assertThat(ConfigLocation.DEFAULTS)
                .containsExactly(Path.of("/etc/mtasts/mtasts.yml"), Path.of("/etc/mta-sts-daemon.yml"));
    }
}
