package io.github.mtasts.tlsrpt.config;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** YAML scalars that have broken configuration loaders: the resolver's ConfigLoaderTest uses the same list. */
final class ConfigScalars {

    private ConfigScalars() {
    }

    static Arbitrary<String> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.of("~", "[]", "{}", "[[]]", "''", ".inf", "-.inf", ".nan", "1e-12", "1e400", "-0",
                        "0x1F", "0o17", "0777", "1_000", "99999999999999999999", "true", "yes", "'0660'",
                        "\"[::1]:53\"", "\"300.1.1.1\"", "\"1.2.3.4:0\"", "[a, 1]", "&a 1", "*b", "!!binary AA=="),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.strings().alpha().numeric().withChars(".:-[]_/ ").ofMaxLength(20));
    }
}
