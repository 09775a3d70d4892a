package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainKeyTest {

    static String normalised(String key) throws InvalidDomainKeyException {
        return DomainKey.parse(key).domain();
    }

    static String rejection(String key) {
        try {
            DomainKey.parse(key);
        } catch (InvalidDomainKeyException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + key);
    }

    @ParameterizedTest
    @CsvSource({
        "example.com, example.com",
        "Example.COM, example.com",
        "example.com., example.com",
        "mail-1.example.co.uk, mail-1.example.co.uk",
        "xn--bcher-kva.example, xn--bcher-kva.example",
        "localhost, localhost",
        "123.example, 123.example",
        "example.c0m, example.c0m"
    })
    void normalisesHostNames(String key, String expected) throws Exception {
        assertThat(normalised(key)).isEqualTo(expected);
    }

    @Test
    void convertsInternationalisedNameToALabels() throws Exception {
        assertThat(normalised("bücher.example")).isEqualTo("xn--bcher-kva.example");
        assertThat(normalised("BÜCHER.Example.")).isEqualTo("xn--bcher-kva.example");
        assertThat(normalised("пример.рф")).isEqualTo("xn--e1afmkfd.xn--p1ai");
    }

    @Test
    void acceptsLabelOf63AndNameOf253Characters() throws Exception {
        String label63 = "a".repeat(63);
        assertThat(normalised(label63 + ".example")).isEqualTo(label63 + ".example");
        String name253 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assertThat(name253).hasSize(253);
        assertThat(normalised(name253 + ".")).isEqualTo(name253);
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1", "10.1.2.3.", "999.999.999.999", "1234"})
    void rejectsIpv4Literals(String key) {
        assertThat(rejection(key)).contains("is an IP address or ends with an all-numeric label");
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "2001:db8::1", "[ipv6:2001:db8::1]", "[ipv6:2001:db8::1]:25", "[2001:db8::1]"})
    void rejectsIpv6Literals(String key) {
        assertThat(rejection(key)).contains("is an IPv6 literal");
    }

    /** RFC 8461 §3.4: mail through a smart host takes the smart host's domain as its policy domain. */
    @ParameterizedTest
    @CsvSource({
            "[mail.example.com],       mail.example.com",
            "[Mail.Example.COM.]:587,  mail.example.com",
            "example.com:2525,         example.com",
            "[relay.example.net]:25,   relay.example.net"})
    void smartHostNextHopsNameTheirHostAsPolicyDomain(String key, String domain) throws Exception {
        assertThat(DomainKey.parse(key).domain()).isEqualTo(domain);
    }

    @ParameterizedTest
    @CsvSource({"[mail.example.com], true", "[mail.example.com]:587, true", "example.com:2525, false",
            "example.com, false", "Example.COM., false"})
    void onlyBracketedNextHopsSkipTheMxLookup(String key, boolean skips) {
        assertThat(DomainKey.skipsMxLookup(key)).isEqualTo(skips);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[192.0.2.1]", "[192.0.2.1]:25", "192.0.2.1:25"})
    void ipv4LiteralNextHopsHaveNoPolicyDomain(String key) {
        assertThat(rejection(key)).contains("is an IP address or ends with an all-numeric label");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            [mail.example.com       | has '[' without ']'
            [mail.example.com]x     | has text after ']' that is not a :port
            []:25                   | has an empty host
            example.com:            | has a port that is not a number from 1 to 65535
            example.com:smtp        | has a port that is not a number from 1 to 65535
            example.com:0           | has a port that is not a number from 1 to 65535
            example.com:65536       | has a port that is not a number from 1 to 65535
            [mail.example.com]:99999 | has a port that is not a number from 1 to 65535""")
    void malformedNextHopsAreRefusedWithTheReason(String key, String reason) {
        assertThat(rejection(key)).contains(reason);
    }

    @Test
    void rejectsNameStartingWithDot() {
        assertThat(rejection(".example.com")).isEqualTo("key \".example.com\" starts with a dot");
    }

    @ParameterizedTest
    @ValueSource(strings = {"example..com", "example.com..", "."})
    void rejectsEmptyLabels(String key) {
        assertThat(rejection(key)).satisfiesAnyOf(
                m -> assertThat(m).contains("has an empty label"),
                m -> assertThat(m).contains("starts with a dot"));
    }

    @Test
    void rejectsEmptyAndNullKeys() {
        assertThat(rejection("")).isEqualTo("key \"\" is empty");
        assertThat(rejection(null)).isEqualTo("key \"\" is empty");
    }

    @Test
    void rejectsLabelLongerThan63() {
        assertThat(rejection("a".repeat(64) + ".example")).contains("has a label longer than 63 characters");
    }

    @Test
    void rejectsNameLongerThan253() {
        String name254 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62));
        assertThat(rejection(name254)).contains("is longer than 253 characters");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "exa_mple.com|'_'",
        "exa mple.com|' '",
        "example.com/x|'/'",
        "ex*ample.com|'*'",
        "user@example.com|'@'"
    })
    void rejectsCharactersNotAllowedInHostNames(String key, String character) {
        assertThat(rejection(key)).contains("has character '" + character + "' not allowed in a host name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-example.com", "example-.com", "mail.-x.com"})
    void rejectsLabelsStartingOrEndingWithHyphen(String key) {
        assertThat(rejection(key)).contains("has a label starting or ending with '-'");
    }

    @Test
    void rejectsInternationalisedLabelTooLongForDns() {
        assertThat(rejection("ü".repeat(60) + ".example")).contains("is not a valid internationalised name");
    }

    @Test
    void recordRefusesNamesThatAreNotNormalised() {
        assertThatThrownBy(() -> new DomainKey("Example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DomainKey("example.com.")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new DomainKey("example.com").toString()).isEqualTo("example.com");
    }
}
