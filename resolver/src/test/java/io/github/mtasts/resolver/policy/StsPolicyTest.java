package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StsPolicyTest {

    private static final String VALID = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n";

    private static StsPolicy parse(String text) throws PolicySyntaxException {
        return StsPolicy.parse(text);
    }

    private static PolicySyntaxException error(String text) {
        return catchThrowableOfType(() -> StsPolicy.parse(text), PolicySyntaxException.class);
    }

    @Test
    void parsesAValidPolicyInPolicyOrder() throws Exception {
        StsPolicy policy = parse(VALID);
        assertThat(policy.mode()).isEqualTo(PolicyMode.ENFORCE);
        assertThat(policy.maxAge()).isEqualTo(604800);
        assertThat(policy.mx()).containsExactly(new MxPattern("mail.example.com"), new MxPattern("*.example.net"));
        assertThat(policy.lines()).containsExactly(
                "version: STSv1", "mode: enforce", "mx: mail.example.com", "mx: *.example.net", "max_age: 604800");
    }

    @Test
    void crlfLineBreaksGiveTheSamePolicy() throws Exception {
        assertThat(parse(VALID.replace("\n", "\r\n"))).isEqualTo(parse(VALID));
    }

    @Test
    void mixedLfAndCrlfAreAccepted() throws Exception {
        assertThat(parse("version: STSv1\r\nmode: none\nmax_age: 0").mode()).isEqualTo(PolicyMode.NONE);
    }

    @Test
    void lastLineMayLackALineBreak() throws Exception {
        assertThat(parse(VALID.substring(0, VALID.length() - 1))).isEqualTo(parse(VALID));
    }

    @Test
    void tabsAndSpacesAfterTheColonAreSkipped() throws Exception {
        StsPolicy policy = parse("version:STSv1\nmode:\t \tenforce\nmx:  \tmx.example.com\nmax_age:\t86400\n");
        assertThat(policy.mode()).isEqualTo(PolicyMode.ENFORCE);
        assertThat(policy.maxAge()).isEqualTo(86400);
        assertThat(policy.mx()).containsExactly(new MxPattern("mx.example.com"));
    }

    @Test
    void trailingWhitespaceIsIgnoredButKeptInTheLines() throws Exception {
        StsPolicy policy = parse("version: STSv1 \nmode: testing\t\nmx: mx.example.com  \r\nmax_age: 60 \t\n");
        assertThat(policy.mode()).isEqualTo(PolicyMode.TESTING);
        assertThat(policy.maxAge()).isEqualTo(60);
        assertThat(policy.mx()).containsExactly(new MxPattern("mx.example.com"));
        assertThat(policy.lines()).containsExactly("version: STSv1 ", "mode: testing\t", "mx: mx.example.com  ", "max_age: 60 \t");
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        StsPolicy policy = parse(VALID + "comment: managed by = tooling; see {docs}\nx-vendor.opt_1: é ünïcode\n");
        assertThat(policy.mx()).hasSize(2);
        assertThat(policy.lines()).hasSize(7);
    }

    @Test
    void duplicateModeKeepsFirstOccurrence() throws Exception {
        assertThat(parse("version: STSv1\nmode: testing\nmode: enforce\nmx: mx.example.com\nmax_age: 1\n").mode())
                .isEqualTo(PolicyMode.TESTING);
    }

    @Test
    void invalidDuplicateModeIsIgnoredAfterAValidFirst() throws Exception {
        assertThat(parse("version: STSv1\nmode: none\nmode: Enforce\nmax_age: 1\n").mode()).isEqualTo(PolicyMode.NONE);
    }

    @Test
    void duplicateMaxAgeAndVersionKeepFirstOccurrence() throws Exception {
        StsPolicy policy = parse("version: STSv1\nversion: STSv2\nmode: none\nmax_age: 5\nmax_age: 99\n");
        assertThat(policy.maxAge()).isEqualTo(5);
    }

    @Test
    void duplicateMxAreAllKeptInOrder() throws Exception {
        StsPolicy policy = parse("version: STSv1\nmode: enforce\nmx: b.example\nmx: a.example\nmx: b.example\nmax_age: 5\n");
        assertThat(policy.mx()).extracting(MxPattern::pattern).containsExactly("b.example", "a.example", "b.example");
    }

    @Test
    void mxIsLowercased() throws Exception {
        assertThat(parse("version: STSv1\nmode: enforce\nmx: MX.Example.COM\nmax_age: 5").mx())
                .containsExactly(new MxPattern("mx.example.com"));
    }

    @Test
    void modeNoneNeedsNoMx() throws Exception {
        StsPolicy policy = parse("version: STSv1\nmode: none\nmax_age: 86400\n");
        assertThat(policy.mx()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"enforce", "testing"})
    void modesOtherThanNoneNeedAnMx(String mode) {
        PolicySyntaxException e = error("version: STSv1\nmode: " + mode + "\nmax_age: 86400\n");
        assertThat(e.line()).isZero();
        assertThat(e.getMessage()).contains("at least one mx field is required unless mode is none");
    }

    @Test
    void modeIsCaseSensitive() {
        PolicySyntaxException e = error("version: STSv1\nmode: Enforce\nmx: mx.example.com\nmax_age: 86400\n");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo(
                "line 2: \"mode: Enforce\": mode must be one of enforce, testing, none (RFC 8461 §3.2)");
    }

    @Test
    void fieldNamesAreCaseSensitive() {
        PolicySyntaxException e = error("version: STSv1\nMode: enforce\nmx: mx.example.com\nmax_age: 86400\n");
        assertThat(e.line()).isZero();
        assertThat(e.rule()).startsWith("the mode field is required").contains("case-sensitive");
    }

    @Test
    void versionValueIsCaseSensitive() {
        PolicySyntaxException e = error("version: stsv1\nmode: none\nmax_age: 1\n");
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.rule()).startsWith("version must be STSv1");
    }

    @Test
    void unknownVersionIsInvalid() {
        assertThat(error("version: STSv2\nmode: none\nmax_age: 1\n").rule()).startsWith("version must be STSv1");
    }

    @Test
    void missingVersionIsInvalid() {
        PolicySyntaxException e = error("mode: none\nmax_age: 1\n");
        assertThat(e.line()).isZero();
        assertThat(e.getMessage()).startsWith("the version field is required");
    }

    @Test
    void missingMaxAgeIsInvalid() {
        assertThat(error("version: STSv1\nmode: none\n").rule()).startsWith("the max_age field is required");
    }

    @Test
    void versionNeedNotBeTheFirstLine() throws Exception {
        assertThat(parse("mode: none\nmax_age: 1\nversion: STSv1").maxAge()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "86400", "31557600", "0000000001", "0031557600"})
    void maxAgeAcceptsOneToTenDigitsUpToTheLimit(String value) throws Exception {
        assertThat(parse("version: STSv1\nmode: none\nmax_age: " + value + "\n").maxAge())
                .isEqualTo(Long.parseLong(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+86400", "-1", "1_000", "1,000", "86 400", "0x10", "8.6", "١٢", "01234567890"})
    void maxAgeRejectsAnythingButOneToTenDigits(String value) {
        PolicySyntaxException e = error("version: STSv1\nmode: none\nmax_age: " + value + "\n");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.rule()).startsWith("max_age must be 1 to 10 digits");
    }

    @Test
    void maxAgeAboveOneYearIsInvalid() {
        PolicySyntaxException e = error("version: STSv1\nmode: none\nmax_age: 31557601\n");
        assertThat(e.getMessage()).isEqualTo(
                "line 3: \"max_age: 31557601\": max_age must be at most 31557600 seconds (RFC 8461 §3.2)");
    }

    @Test
    void tenDigitMaxAgeAboveTheLimitIsInvalid() {
        assertThat(error("version: STSv1\nmode: none\nmax_age: 9999999999\n").rule()).startsWith("max_age must be at most");
    }

    @Test
    void spaceBeforeTheColonIsInvalid() {
        PolicySyntaxException e = error("version: STSv1\nmode : enforce\nmx: mx.example.com\nmax_age: 1\n");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.rule()).startsWith("whitespace before ':'");
    }

    @Test
    void tabBeforeTheColonIsInvalid() {
        assertThat(error("version\t: STSv1\nmode: none\nmax_age: 1\n").rule()).startsWith("whitespace before ':'");
    }

    @Test
    void emptyLineIsInvalid() {
        PolicySyntaxException e = error("version: STSv1\n\nmode: none\nmax_age: 1\n");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.rule()).startsWith("empty lines are not allowed");
    }

    @Test
    void emptyLineAtTheEndIsInvalid() {
        assertThat(error("version: STSv1\nmode: none\nmax_age: 1\n\n").line()).isEqualTo(4);
        assertThat(error("version: STSv1\r\nmode: none\r\nmax_age: 1\r\n\r\n").line()).isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {" mode: none", "\tmode: none"})
    void leadingWhitespaceIsInvalid(String line) {
        PolicySyntaxException e = error("version: STSv1\n" + line + "\nmax_age: 1\n");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.rule()).startsWith("whitespace at the start of a line");
    }

    @Test
    void lineWithoutColonIsInvalid() {
        assertThat(error("version: STSv1\nmode none\nmax_age: 1\n").rule()).startsWith("expected \"name: value\"");
    }

    @Test
    void bareCarriageReturnIsNotALineBreak() {
        PolicySyntaxException e = error("version: STSv1\rmode: none\rmax_age: 1\r");
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.rule()).contains("U+000D");
        assertThat(e.getMessage()).contains("\\r");
    }

    @Test
    void emptyValueIsInvalid() {
        assertThat(error("version: STSv1\nmode: none\nmax_age: 1\nnote:\n").rule()).startsWith("field note has an empty value");
        assertThat(error("version: STSv1\nmode:  \nmax_age: 1\n").line()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"_x: 1", "x y: 1", ": 1", "a23456789012345678901234567890123: 1", "ké: 1"})
    void malformedExtensionNameIsInvalid(String line) {
        assertThat(error("version: STSv1\nmode: none\nmax_age: 1\n" + line + "\n").rule()).startsWith("invalid field name");
    }

    @Test
    void longestExtensionNameIsAccepted() throws Exception {
        assertThat(parse("version: STSv1\nmode: none\nmax_age: 1\na2345678901234567890123456789012: 1\n").lines()).hasSize(4);
    }

    @Test
    void controlCharacterInsideAValueIsInvalid() {
        assertThat(error("version: STSv1\nmode: none\nmax_age: 1\nnote: a\tb\n").rule()).contains("U+0009");
        assertThat(error("version: STSv1\nmode: none\nmax_age: 1\nnote: a\u0000b\n").getMessage()).contains("\\u0000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mx.example.com.", "*.*.example.com", "mx*.example.com", "*", "*.", "mx..example.com",
            "192.0.2.1", "[192.0.2.1]", "-mx.example.com", "mx_1.example.com", "mx example.com"})
    void invalidMxValueIsInvalid(String value) {
        PolicySyntaxException e = error("version: STSv1\nmode: enforce\nmx: " + value + "\nmax_age: 1\n");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.rule()).startsWith("mx must be a host name");
    }

    @Test
    void emptyPolicyIsInvalid() {
        assertThat(error("").rule()).startsWith("policy is empty");
    }

    @Test
    void renderUsesCrlfAndAFinalLineBreak() throws Exception {
        assertThat(parse(VALID).render()).isEqualTo(VALID.replace("\n", "\r\n"));
    }

    @Test
    void ofBuildsCanonicalLines() {
        StsPolicy policy = StsPolicy.of(PolicyMode.TESTING, 3600, List.of(MxPattern.parse("*.example.com")));
        assertThat(policy.render()).isEqualTo("version: STSv1\r\nmode: testing\r\nmax_age: 3600\r\nmx: *.example.com\r\n");
    }

    @Test
    void policyWithoutLinesRendersCanonicalText() throws Exception {
        StsPolicy bare = new StsPolicy(PolicyMode.NONE, 10, List.of(), List.of());
        assertThat(parse(bare.render())).isEqualTo(StsPolicy.of(PolicyMode.NONE, 10, List.of()));
    }

    @Test
    void constructorRejectsImpossiblePolicies() {
        assertThatThrownBy(() -> new StsPolicy(PolicyMode.ENFORCE, 1, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StsPolicy(PolicyMode.NONE, StsPolicy.MAX_AGE_LIMIT + 1, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void renderThenParseGivesTheSamePolicy(@ForAll("policies") StsPolicy policy) throws Exception {
        assertThat(StsPolicy.parse(policy.render())).isEqualTo(policy);
    }

    @Property
    void publishedPolicyRoundTripsThroughRender(@ForAll("publishedPolicies") String text) throws Exception {
        StsPolicy policy = StsPolicy.parse(text);
        assertThat(StsPolicy.parse(policy.render())).isEqualTo(policy);
    }

    @Property(tries = 2000)
    void arbitraryTextThrowsOnlyPolicySyntaxException(@ForAll("policyLikeText") String text) {
        try {
            StsPolicy policy = StsPolicy.parse(text);
            assertThat(policy.lines()).isNotEmpty();
        } catch (PolicySyntaxException e) {
            assertThat(e.line()).isBetween(0, text.length() + 1);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<StsPolicy> policies() {
        Arbitrary<PolicyMode> modes = Arbitraries.of(PolicyMode.class);
        Arbitrary<Long> ages = Arbitraries.longs().between(0, StsPolicy.MAX_AGE_LIMIT);
        return Combinators.combine(modes, ages, MxPatternTest.patterns().list().ofMinSize(1).ofMaxSize(6))
                .as((mode, age, mx) -> StsPolicy.of(mode, age, mode == PolicyMode.NONE && age % 2 == 0 ? List.of() : mx));
    }

    @Provide
    Arbitrary<String> publishedPolicies() {
        Arbitrary<String> extension = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(20)
                .map(value -> "x-ext: " + value);
        Arbitrary<String> wsp = Arbitraries.of("", " ", "\t", "  \t");
        Arbitrary<String> mxLine = Combinators.combine(wsp, MxPatternTest.patterns(), wsp)
                .as((before, mx, after) -> "mx:" + before + mx.pattern().toUpperCase() + after);
        Arbitrary<List<String>> extras = Arbitraries.oneOf(extension, mxLine).list().ofMinSize(1).ofMaxSize(5);
        Arbitrary<String> terminator = Arbitraries.of("\n", "\r\n");
        return Combinators.combine(extras, terminator, Arbitraries.of(true, false), Arbitraries.longs().between(0, StsPolicy.MAX_AGE_LIMIT))
                .as((lines, newline, finalBreak, age) -> {
                    List<String> all = new ArrayList<>(List.of("version: STSv1", "mode:\tnone", "max_age: " + age));
                    all.addAll(lines);
                    return String.join(newline, all) + (finalBreak ? newline : "");
                });
    }

    @Provide
    Arbitrary<String> policyLikeText() {
        Arbitrary<String> fragments = Arbitraries.of("version", "mode", "max_age", "mx", ":", " ", "\t", "\n", "\r\n",
                "\r", "STSv1", "enforce", "none", "testing", "86400", "*.", "example.com", ".", "-", "+", "_", "é", "\u0000", "{");
        return Arbitraries.oneOf(
                fragments.list().ofMaxSize(40).map(list -> String.join("", list)),
                Arbitraries.strings().ofMaxLength(200));
    }
}
