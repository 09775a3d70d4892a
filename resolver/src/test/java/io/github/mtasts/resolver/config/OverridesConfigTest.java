package io.github.mtasts.resolver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverride.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The overrides: section and overrides_file, through the loader. */
class OverridesConfigTest {

    private static DaemonConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("test.yml", yaml);
    }

    @Test
    void everyOutcomeIsReadNormalisedInFileOrder() throws Exception {
        DaemonConfig config = parse("""
                overrides:
                  Legacy.Example.: none
                  may.example: may
                  encrypt.example: encrypt
                  .dane.example: dane
                  dane-only.example: dane-only
                  partner.example: {secure: {match: [MX1.example.com, .Example.NET]}}
                """);

        assertThat(config.overrides().entries()).containsExactly(
                new PolicyOverride("legacy.example", Outcome.NONE, List.of()),
                new PolicyOverride("may.example", Outcome.MAY, List.of()),
                new PolicyOverride("encrypt.example", Outcome.ENCRYPT, List.of()),
                new PolicyOverride(".dane.example", Outcome.DANE, List.of()),
                new PolicyOverride("dane-only.example", Outcome.DANE_ONLY, List.of()),
                new PolicyOverride("partner.example", Outcome.SECURE, List.of("mx1.example.com", ".example.net")));
    }

    @Test
    void withoutTheSectionThereAreNoOverrides() throws Exception {
        assertThat(parse("").overrides().isEmpty()).isTrue();
        assertThat(parse("overrides:\n").overrides().isEmpty()).isTrue();
        assertThat(parse("overrides: {}\n").overrides().isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "overrides: {example.com: verify}              | test.yml: overrides.example.com: expected none, may, encrypt, dane, dane-only or {secure: {match: [host or .parent, ...]}}, got \"verify\"",
        "overrides: {example.com: secure}              | test.yml: overrides.example.com: secure needs its match patterns",
        "overrides: {example.com: {secure: {}}}        | test.yml: overrides.example.com.secure.match: expected a non-empty list",
        "overrides: {example.com: {secure: {match: []}}} | test.yml: overrides.example.com.secure.match: expected a non-empty list of MX host names or .parent domains, got a list",
        "overrides: {example.com: {secure: {match: [a..b]}}} | test.yml: overrides.example.com.secure.match[0]: not a valid domain",
        "overrides: {example.com: {secure: {match: [mx.example.com], servername: x}}} | test.yml: overrides.example.com.secure.servername: unknown key",
        "overrides: {example.com: {dane: {}}}          | test.yml: overrides.example.com: expected none, may",
        "overrides: {example.com: }                    | test.yml: overrides.example.com: expected none, may, encrypt, dane, dane-only or {secure: {match: [host or .parent, ...]}}, got nothing",
        "overrides: {bad_name.example: none}           | test.yml: overrides.bad_name.example: not a valid domain",
        "overrides: {'[192.0.2.1]': none}              | test.yml: overrides.[192.0.2.1]: not a valid domain",
        "overrides: {'*.example.com': none}            | test.yml: overrides.*.example.com: write .example.com for every subdomain",
        "overrides: [example.com]                      | test.yml: overrides: expected a mapping, got a list",
    })
    void invalidEntriesAreRefusedNamingTheKey(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
    }

    @Test
    void theSameDomainTwiceWithDifferentOutcomesIsRefusedNamingBothKeys() {
        assertThatThrownBy(() -> parse("overrides:\n  example.com: none\n  EXAMPLE.com.: dane\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: overrides.EXAMPLE.com.: the same domain as overrides.example.com, which answers"
                        + " none, not dane: one answer per domain");
    }

    @Test
    void theSameDomainTwiceWithTheSameOutcomeIsOneEntry() throws Exception {
        DaemonConfig config = parse("overrides:\n  example.com: dane\n  Example.com: dane\n");

        assertThat(config.overrides().entries()).hasSize(1);
    }

    @Test
    void duplicateKeysInOneMappingAreAYamlError() {
        assertThatThrownBy(() -> parse("overrides:\n  example.com: none\n  example.com: none\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("duplicate key");
    }

    @Test
    void overridesFileHasTheSectionsSyntaxAndAddsToIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("overrides.yml");
        Files.writeString(file, "# partners\n.dane.example: dane-only\npartner.example: {secure: {match: [mx.partner.example]}}\n");

        DaemonConfig config = parse("overrides: {legacy.example: none}\noverrides_file: " + file + "\n");

        assertThat(config.overrides().entries()).extracting(PolicyOverride::pattern)
                .containsExactly("legacy.example", ".dane.example", "partner.example");
        assertThat(config.overrides().find("mx.dane.example")).map(PolicyOverride::outcome).contains(Outcome.DANE_ONLY);
    }

    @Test
    void overridesFileContradictingTheSectionIsRefusedNamingFileAndKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("overrides.yml");
        Files.writeString(file, "legacy.example: may\n");

        assertThatThrownBy(() -> parse("overrides: {legacy.example: none}\noverrides_file: " + file + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: overrides_file " + file + ": legacy.example: the same domain as"
                        + " overrides.legacy.example, which answers none, not may: one answer per domain");
    }

    @Test
    void invalidEntryInTheOverridesFileNamesFileAndKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("overrides.yml");
        Files.writeString(file, "example.com: {secure: {match: []}}\n");

        assertThatThrownBy(() -> parse("overrides_file: " + file + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: overrides_file " + file + ": example.com.secure.match: expected");
    }

    @Test
    void missingOrMalformedOverridesFileStopsTheLoad(@TempDir Path dir) throws Exception {
        Path list = dir.resolve("list.yml");
        Files.writeString(list, "- example.com\n");

        assertThatThrownBy(() -> parse("overrides_file: " + dir.resolve("absent.yml") + "\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("test.yml: overrides_file: cannot read");
        assertThatThrownBy(() -> parse("overrides_file: " + list + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: overrides_file " + list + ": expected a mapping of domains to outcomes, got a list");
    }

    @Test
    void configCheckRendersTheOverridesInForceAndReadsThemBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("overrides.yml");
        Files.writeString(file, ".dane.example: dane-only\n");
        DaemonConfig config = parse("overrides:\n  legacy.example: none\n"
                + "  partner.example: {secure: {match: [mx1.example.com, .example.net]}}\noverrides_file: " + file + "\n");

        String yaml = ConfigWriter.toYaml(config);

        assertThat(parse(yaml)).isEqualTo(config);
        assertThat(yaml).contains("\".dane.example\": dane-only").doesNotContain("overrides_file");
    }
}
