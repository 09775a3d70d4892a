package io.github.mtasts.resolver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preload: list and preload_file, through the loader. */
class PreloadConfigTest {

    private static DaemonConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("test.yml", yaml);
    }

    @Test
    void listAndFileAreNormalisedInOrderEachDomainOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("preload.txt");
        Files.writeString(file, "# the big providers\n\n  outlook.com   # Microsoft\nGMAIL.com.\nyahoo.com\n");

        DaemonConfig config = parse("preload: [gmail.com, Example.ORG]\npreload_file: " + file + "\n");

        assertThat(config.preload()).containsExactly("gmail.com", "example.org", "outlook.com", "yahoo.com");
    }

    @Test
    void noPreloadByDefault() throws Exception {
        assertThat(parse("").preload()).isEmpty();
        assertThat(parse("preload: []\n").preload()).isEmpty();
    }

    @Test
    void invalidListEntryIsRefusedNamingItsIndex() {
        assertThatThrownBy(() -> parse("preload: [gmail.com, '[192.0.2.1]']\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: preload[1]: not a valid policy domain");
        assertThatThrownBy(() -> parse("preload: [gmail.com, 25]\n"))
                .isInstanceOf(ConfigException.class).hasMessage("test.yml: preload[1]: expected a domain, got 25");
        assertThatThrownBy(() -> parse("preload: gmail.com\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: preload: expected a list of domains, got \"gmail.com\"");
    }

    @Test
    void invalidFileLineIsRefusedNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("preload.txt");
        Files.writeString(file, "gmail.com\n# comment\nnot a domain\n");

        assertThatThrownBy(() -> parse("preload_file: " + file + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: preload_file " + file + ": line 3: not a valid policy domain");
        assertThatThrownBy(() -> parse("preload_file: " + dir.resolve("absent") + "\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("test.yml: preload_file: cannot read");
    }

    @Test
    void aDomainAnOverrideAnswersIsRefused() {
        assertThatThrownBy(() -> parse("overrides: {.example.com: dane-only}\npreload: [mail.example.com]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: preload[0]: mail.example.com is answered by the override for .example.com"
                        + " (dane-only), so its policy would never be used");
    }

    @Test
    void configCheckRendersThePreloadInForceAndReadsItBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("preload.txt");
        Files.writeString(file, "outlook.com\n");
        DaemonConfig config = parse("preload: [gmail.com]\npreload_file: " + file + "\n");

        assertThat(parse(ConfigWriter.toYaml(config))).isEqualTo(config);
    }
}
