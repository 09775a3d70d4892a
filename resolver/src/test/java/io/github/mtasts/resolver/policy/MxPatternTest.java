package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MxPatternTest {

    /** Valid patterns: 1–4 LDH labels, a letter TLD, sometimes a wildcard. */
    static Arbitrary<MxPattern> patterns() {
        Arbitrary<String> label = Combinators.combine(
                        Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofLength(1),
                        Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-').ofMaxLength(10),
                        Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofLength(1))
                .as((first, middle, last) -> first + middle + last);
        Arbitrary<String> tld = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(2).ofMaxLength(6);
        return Combinators.combine(label.list().ofMinSize(0).ofMaxSize(3), tld, Arbitraries.of(true, false))
                .as((labels, top, wildcard) -> {
                    String name = String.join(".", labels) + (labels.isEmpty() ? "" : ".") + top;
                    return MxPattern.parse(wildcard ? "*." + name : name);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"mx.example.com", "*.example.com", "localhost", "xn--bcher-kva.example", "a-b.c0.example",
            "1mx.example.com", "*.com"})
    void acceptsHostNamesAndWildcards(String value) {
        assertThat(MxPattern.parse(value).pattern()).isEqualTo(value);
    }

    @Test
    void parseLowercases() {
        assertThat(MxPattern.parse("*.MX.Example.COM")).isEqualTo(new MxPattern("*.mx.example.com"));
    }

    @Test
    void constructorRejectsUppercase() {
        assertThatThrownBy(() -> new MxPattern("MX.example.com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lowercase");
    }

    @Test
    void labelOf63CharactersAndNameOf253AreAccepted() {
        String label = "a".repeat(63);
        assertThat(MxPattern.parse(label + ".example").pattern()).startsWith(label);
        String name = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assertThat(name).hasSize(253);
        assertThat(MxPattern.parse(name).pattern()).isEqualTo(name);
    }

    @Test
    void labelOf64CharactersIsRejected() {
        assertThatThrownBy(() -> MxPattern.parse("a".repeat(64) + ".example"))
                .hasMessageContaining("label longer than 63");
    }

    @Test
    void nameLongerThan253IsRejected() {
        String name = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62));
        assertThatThrownBy(() -> MxPattern.parse(name)).hasMessageContaining("longer than 253");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "*.", "**.example.com", "*.*.example.com", "mx.*.example.com", "mx*.example.com",
            "*example.com", "example.*"})
    void wildcardOnlyAsWholeLeftmostLabel(String value) {
        assertThatThrownBy(() -> MxPattern.parse(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wildcard");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".example.com", "mx..example.com", "mx.example.com.", "-mx.example.com",
            "mx-.example.com", "mx_1.example.com", "mx example.com", "mx.exämple.com", "[192.0.2.1]", "192.0.2.1",
            "*.192.0.2", "mx.example.123"})
    void rejectsInvalidHostNames(String value) {
        assertThatThrownBy(() -> MxPattern.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipAddressIsRejectedWithAReason() {
        assertThatThrownBy(() -> MxPattern.parse("192.0.2.1")).hasMessageContaining("IP address");
    }

    @Test
    void exactPatternMatchesCaseInsensitivelyIgnoringTrailingDot() {
        MxPattern pattern = MxPattern.parse("mx.example.com");
        assertThat(pattern.matches("mx.example.com")).isTrue();
        assertThat(pattern.matches("MX.Example.Com")).isTrue();
        assertThat(pattern.matches("mx.example.com.")).isTrue();
        assertThat(pattern.matches("mx.example.co")).isFalse();
        assertThat(pattern.matches("a.mx.example.com")).isFalse();
        assertThat(pattern.matches("mx.example.com..")).isFalse();
        assertThat(pattern.matches("")).isFalse();
    }

    @Test
    void wildcardMatchesExactlyOneLabel() {
        MxPattern pattern = MxPattern.parse("*.example.com");
        assertThat(pattern.matches("mx.example.com")).isTrue();
        assertThat(pattern.matches("MX1.EXAMPLE.COM.")).isTrue();
        assertThat(pattern.matches("example.com")).isFalse();
        assertThat(pattern.matches(".example.com")).isFalse();
        assertThat(pattern.matches("a.b.example.com")).isFalse();
        assertThat(pattern.matches("mxexample.com")).isFalse();
        assertThat(pattern.matches("mx.example.org")).isFalse();
    }

    @Test
    void postfixMatchWritesWildcardsAsLeadingDot() {
        assertThat(MxPattern.parse("*.example.com").postfixMatch()).isEqualTo(".example.com");
        assertThat(MxPattern.parse("mx.example.com").postfixMatch()).isEqualTo("mx.example.com");
    }

    @Property
    void patternMatchesItselfInAnyCaseWithOrWithoutTrailingDot(@ForAll("exactPatterns") MxPattern pattern,
            @ForAll boolean upper, @ForAll boolean dot) {
        String host = (upper ? pattern.pattern().toUpperCase(Locale.ROOT) : pattern.pattern()) + (dot ? "." : "");
        assertThat(pattern.matches(host)).isTrue();
    }

    @Property
    void wildcardMatchesAnyOneLabelButNotTwoOrNone(@ForAll("wildcardPatterns") MxPattern pattern,
            @ForAll("labels") String label, @ForAll("labels") String other) {
        String base = pattern.pattern().substring(2);
        assertThat(pattern.matches(label + "." + base)).isTrue();
        assertThat(pattern.matches(base)).isFalse();
        assertThat(pattern.matches(other + "." + label + "." + base)).isFalse();
    }

    @Property
    void exactPatternNeverMatchesASubdomain(@ForAll("exactPatterns") MxPattern pattern, @ForAll("labels") String label) {
        assertThat(pattern.matches(label + "." + pattern.pattern())).isFalse();
    }

    @Property
    void parseRoundTripsThePattern(@ForAll("allPatterns") MxPattern pattern) {
        assertThat(MxPattern.parse(pattern.pattern())).isEqualTo(pattern);
        assertThat(MxPattern.parse(pattern.pattern().toUpperCase(Locale.ROOT))).isEqualTo(pattern);
    }

    @Property(tries = 2000)
    void arbitraryTextThrowsOnlyIllegalArgumentException(@ForAll("patternLikeText") String value) {
        try {
            MxPattern pattern = MxPattern.parse(value);
            assertThat(pattern.matches(pattern.pattern().replace("*", "x"))).isTrue();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 1000)
    void matchingArbitraryHostsNeverThrows(@ForAll("allPatterns") MxPattern pattern, @ForAll("patternLikeText") String host) {
        boolean matched = pattern.matches(host);
        if (matched) {
            assertThat(host.toLowerCase(Locale.ROOT)).endsWith(pattern.postfixMatch().replaceFirst("^\\.", ""));
        }
    }

    @Provide
    Arbitrary<MxPattern> allPatterns() {
        return patterns();
    }

    @Provide
    Arbitrary<MxPattern> exactPatterns() {
        return patterns().filter(p -> !p.isWildcard());
    }

    @Provide
    Arbitrary<MxPattern> wildcardPatterns() {
        return patterns().filter(MxPattern::isWildcard);
    }

    @Provide
    Arbitrary<String> labels() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
                .ofMinLength(1).ofMaxLength(12);
    }

    @Provide
    Arbitrary<String> patternLikeText() {
        Arbitrary<String> fragments = Arbitraries.of("*", ".", "mx", "example", "com", "-", "1", "_", " ", "é", "[", "MX");
        return Arbitraries.oneOf(fragments.list().ofMaxSize(12).map(list -> String.join("", list)),
                Arbitraries.strings().ofMaxLength(40));
    }
}
