package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.policy.ReportUri.Https;
import io.github.mtasts.resolver.policy.ReportUri.Mailto;
import io.github.mtasts.resolver.policy.TlsRptRecordException.Kind;
import java.net.URI;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TlsRptRecordTest {

    private static TlsRptRecord parse(String record) throws TlsRptRecordException {
        return TlsRptRecord.parse(record);
    }

    private static String invalidReason(String record) {
        try {
            TlsRptRecord.parse(record);
        } catch (TlsRptRecordException e) {
            assertThat(e.kind()).isEqualTo(Kind.INVALID);
            assertThat(e.getMessage()).endsWith("(RFC 8460 §3)");
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + record);
    }

    @Test
    void aUriUpToTheLimitIsAcceptedAndALongerOneIsRefusedSayingHowLong() throws Exception {
        String prefix = "https://r.example.com/";
        String longest = prefix + "a".repeat(ReportUri.MAX_LENGTH - prefix.length());
        assertThat(parse("v=TLSRPTv1; rua=" + longest).rua()).extracting(ReportUri::uri).containsExactly(longest);

        assertThat(invalidReason("v=TLSRPTv1; rua=mailto:a@example.com," + longest + "a"))
                .contains("of 2049 characters: at most 2048 are accepted");
    }

    @Test
    void singleMailtoDestination() throws Exception {
        TlsRptRecord record = parse("v=TLSRPTv1; rua=mailto:tlsrpt@example.com");
        assertThat(record.rua()).containsExactly(
                new Mailto("mailto:tlsrpt@example.com", List.of("tlsrpt@example.com")));
    }

    @Test
    void singleHttpsDestination() throws Exception {
        TlsRptRecord record = parse("v=TLSRPTv1;rua=https://reports.example.com/tlsrpt?x=1");
        assertThat(record.rua()).containsExactly(new Https("https://reports.example.com/tlsrpt?x=1",
                URI.create("https://reports.example.com/tlsrpt?x=1")));
    }

    @Test
    void severalDestinationsKeepRecordOrderAndMayHaveWhitespaceAroundCommas() throws Exception {
        TlsRptRecord record = parse("v=TLSRPTv1; rua=mailto:a@example.com , \thttps://r.example.net/in,mailto:b@example.org");
        assertThat(record.rua()).extracting(ReportUri::uri)
                .containsExactly("mailto:a@example.com", "https://r.example.net/in", "mailto:b@example.org");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "v=TLSRPTv1;rua=mailto:a@example.com",
            "v=TLSRPTv1 ; rua=mailto:a@example.com",
            "v=TLSRPTv1;\trua=mailto:a@example.com\t;",
            "v=TLSRPTv1; rua=mailto:a@example.com; ",
            "v=TLSRPTv1; rua=mailto:a@example.com ;ext=value;x.y_z-1=~!\"#$%&'()*+,-./0123456789:<>?@[\\]^_`{|}",
    })
    void delimitersAndExtensionsFollowTheGrammar(String text) throws Exception {
        assertThat(parse(text).rua()).extracting(ReportUri::uri).containsExactly("mailto:a@example.com");
    }

    @Test
    void extensionsBeforeRuaAreIgnored() throws Exception {
        assertThat(parse("v=TLSRPTv1; foo=bar; rua=mailto:a@example.com").rua()).hasSize(1);
    }

    @Test
    void mailtoWithPercentEncodedCommaNamesSeveralRecipients() throws Exception {
        Mailto mailto = (Mailto) parse("v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.org").rua().get(0);
        assertThat(mailto.recipients()).containsExactly("a@example.com", "b@example.org");
    }

    @Test
    void mailtoPercentEscapesAreDecoded() throws Exception {
        Mailto mailto = (Mailto) parse("v=TLSRPTv1; rua=mailto:tls%2Brpt@example.com").rua().get(0);
        assertThat(mailto.recipients()).containsExactly("tls+rpt@example.com");
    }

    @Test
    void mailtoToHeaderFieldAddsRecipientsAndOtherFieldsAreIgnored() throws Exception {
        Mailto mailto = (Mailto) parse("v=TLSRPTv1; rua=mailto:a@example.com?subject=x&to=b@example.org").rua().get(0);
        assertThat(mailto.recipients()).containsExactly("a@example.com", "b@example.org");
    }

    @Test
    void schemesAreCaseInsensitive() throws Exception {
        assertThat(parse("v=TLSRPTv1; rua=MAILTO:a@example.com,HTTPS://r.example.net/").rua())
                .hasExactlyElementsOfTypes(Mailto.class, Https.class);
    }

    @Test
    void selectDiscardsRecordsWithoutTheVersionPrefix() throws Exception {
        TlsRptRecord record = TlsRptRecord.select(List.of("v=spf1 -all", "v=TLSRPTv10; rua=mailto:x@example.com",
                "V=TLSRPTv1; rua=mailto:y@example.com", "v=TLSRPTv1; rua=mailto:a@example.com"));
        assertThat(record.rua()).extracting(ReportUri::uri).containsExactly("mailto:a@example.com");
    }

    @Test
    void selectWithoutCandidateIsNoRecord() {
        assertThatThrownBy(() -> TlsRptRecord.select(List.of("v=STSv1; id=1", "hello")))
                .isInstanceOfSatisfying(TlsRptRecordException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_RECORD))
                .hasMessageContaining("no TXT record begins with v=TLSRPTv1 (2 TXT records");
        assertThatThrownBy(() -> TlsRptRecord.select(List.of()))
                .isInstanceOfSatisfying(TlsRptRecordException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_RECORD));
    }

    @Test
    void selectWithTwoCandidatesIsRejectedEvenWhenOneIsInvalid() {
        assertThatThrownBy(() -> TlsRptRecord.select(List.of("v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1 ; bogus")))
                .isInstanceOfSatisfying(TlsRptRecordException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.MULTIPLE_RECORDS))
                .hasMessageContaining("2 TXT records begin with v=TLSRPTv1");
    }

    @Test
    void selectReportsABareVersionAsInvalidNotAbsent() {
        assertThatThrownBy(() -> TlsRptRecord.select(List.of("v=TLSRPTv1")))
                .isInstanceOfSatisfying(TlsRptRecordException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID))
                .hasMessageContaining("rua field is required");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "v=TLSRPTv1                                          | the rua field is required",
            "v=TLSRPTv1; ext=1                                    | the rua field is required",
            "v=TLSRPTv1; RUA=mailto:a@example.com                 | \"RUA=\" is not \"rua=\" (field names are case-sensitive)",
            "v=tlsrptv1; rua=mailto:a@example.com                 | must begin with \"v=TLSRPTv1\"",
            "v=TLSRPTv1 rua=mailto:a@example.com                  | expected \";\" at position 12",
            "v=TLSRPTv1;; rua=mailto:a@example.com                | empty field between \";\" delimiters",
            "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com | more than one rua field",
            "v=TLSRPTv1; rua=                                     | rua URI 1 of 1 is empty",
            "v=TLSRPTv1; rua=mailto:a@example.com,                | rua URI 2 of 2 is empty",
            "v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@x.org  | rua URI 2 of 3 is empty",
            "v=TLSRPTv1; rua=mailto:a@exa mple.com                | whitespace inside rua URI",
            "v=TLSRPTv1; rua=http://r.example.com/                | scheme \"http\" is not supported",
            "v=TLSRPTv1; rua=tlsrpt@example.com                   | has no scheme",
            "v=TLSRPTv1; rua=mailto:a@example.com!10m             | \"!\" at position 21 must be percent-encoded",
            "v=TLSRPTv1; rua=mailto:a@example.com%2                | \"%\" at position 21 is not followed by two hex digits",
            "v=TLSRPTv1; rua=mailto:a@example.com%zz              | \"%\" at position 21 is not followed by two hex digits",
            "v=TLSRPTv1; rua=mailto:a@exämple.com                  | character U+00E4 at position 12",
            "v=TLSRPTv1; rua=mailto:<a@example.com>               | character \"<\" at position 8",
            "v=TLSRPTv1; rua=mailto:                              | no recipient address",
            "v=TLSRPTv1; rua=mailto:?subject=x                    | no recipient address",
            "v=TLSRPTv1; rua=mailto:example.com                   | \"example.com\" is not an address (no \"@\")",
            "v=TLSRPTv1; rua=mailto:a..b@example.com              | local part \"a..b\" is not a dot-atom",
            "v=TLSRPTv1; rua=mailto:a@-example.com                | \"-example.com\" is not a host name",
            "v=TLSRPTv1; rua=mailto:a@example..com                | \"example..com\" is not a host name",
            "v=TLSRPTv1; rua=mailto:a@example.com%2C              | \"\" is not an address",
            "v=TLSRPTv1; rua=mailto:a%FF@example.com              | percent-escapes are not UTF-8",
            "v=TLSRPTv1; rua=mailto:a@example.com?subject         | header field \"subject\" is not name=value",
            "v=TLSRPTv1; rua=mailto:a@example.com#frag            | \"#\" is not allowed",
            "v=TLSRPTv1; rua=https:///path                        | no host name",
            "v=TLSRPTv1; rua=https://r.example.com/a b            | whitespace inside rua URI",
            "v=TLSRPTv1; rua=https://[::1/                        | https URI \"https://[::1/\"",
            "v=TLSRPTv1; rua=mailto:a@example.com; ext            | field \"ext\" has no \"=\"",
            "v=TLSRPTv1; rua=mailto:a@example.com; ext=           | field \"ext\" has an empty value",
            "v=TLSRPTv1; rua=mailto:a@example.com; _x=1           | invalid field name \"_x\"",
            "v=TLSRPTv1; rua=mailto:a@example.com; ext=a b        | invalid character in value of field \"ext\"",
            "v=TLSRPTv1; rua=mailto:a@example.com; ext=a=b        | invalid character in value of field \"ext\"",
            "v=TLSRPTv1; rua=mailto:a@example.com; abcdefghijklmnopqrstuvwxyz0123456=1 | invalid field name",
    })
    void invalidRecordsNameTheRuleTheyBreak(String record, String reason) {
        assertThat(invalidReason(record)).contains(reason);
    }

    @Test
    void extensionNameOfExactly32CharactersIsAccepted() throws Exception {
        assertThat(parse("v=TLSRPTv1; rua=mailto:a@example.com; abcdefghijklmnopqrstuvwxyz012345=1").rua()).hasSize(1);
    }

    @Test
    void semicolonEndsTheRuaFieldSoAUriMustEncodeIt() throws Exception {
        assertThat(invalidReason("v=TLSRPTv1; rua=https://r.example.com/a;b"))
                .contains("field \"b\" has no \"=\"");
        assertThat(((Https) parse("v=TLSRPTv1; rua=https://r.example.com/a%3Bb").rua().get(0)).target().getPath())
                .isEqualTo("/a;b");
    }

    @Property(tries = 2000)
    void arbitraryRecordThrowsOnlyTlsRptRecordException(@ForAll("recordLikeText") String record) {
        try {
            assertThat(TlsRptRecord.parse(record).rua()).isNotEmpty();
        } catch (TlsRptRecordException e) {
            assertThat(e.kind()).isEqualTo(Kind.INVALID);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 500)
    void selectThrowsOnlyTlsRptRecordException(@ForAll("recordLists") List<String> records) {
        try {
            assertThat(TlsRptRecord.select(records).rua()).isNotEmpty();
        } catch (TlsRptRecordException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    /** Fragments of valid records with damage, so the parser's deeper states are reached, plus arbitrary text. */
    @Provide
    Arbitrary<String> recordLikeText() {
        Arbitrary<String> fragments = Arbitraries.of("v=TLSRPTv1", "rua=", "rua", ";", ",", " ", "\t", "=", "mailto:",
                "https://", "tlsrpt@example.com", "example.com", "/path", "?", "%", "%4", "!10m", "@", "[", "]", ":",
                "é", "\u0000", "x_y", "v=TLSRPTv10", "RUA=");
        return Arbitraries.oneOf(
                fragments.list().ofMaxSize(20).map(list -> String.join("", list)),
                Arbitraries.strings().ofMaxLength(80),
                Arbitraries.strings().ofMaxLength(60).map(tail -> "v=TLSRPTv1; rua=" + tail));
    }

    @Provide
    Arbitrary<List<String>> recordLists() {
        return recordLikeText().list().ofMaxSize(4);
    }
}
