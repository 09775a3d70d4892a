package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Socketmap key to the next hop Postfix's DANE lookups start from (smtp_connect.c, tls_dane.c of Postfix 3.11). */
class DaneTargetTest {

    static DaneTarget of(String key) throws InvalidDomainKeyException {
        return DaneTarget.of(key, DomainKey.parse(key));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // key,                     name,              port, mxLookup, written
            "example.com,               example.com,       25,   true,     example.com",
            "Example.COM.,              example.com,       25,   true,     example.com",
            "example.com:2525,          example.com,       2525, true,     example.com:2525",
            "example.com:25,            example.com,       25,   true,     example.com",
            "[relay.example.com],       relay.example.com, 25,   false,    [relay.example.com]",
            "[relay.example.com]:25,    relay.example.com, 25,   false,    [relay.example.com]",
            "[Relay.Example.COM.]:587,  relay.example.com, 587,  false,    [relay.example.com]:587",
            "[relay.example.com]:65535, relay.example.com, 65535, false,   [relay.example.com]:65535",
    })
    void keyNamesTheHostPortAndWhetherPostfixLooksUpMx(String key, String name, int port, boolean mxLookup,
                                                       String written) throws Exception {
        DaneTarget target = of(key);
        assertThat(target).isEqualTo(new DaneTarget(name, port, mxLookup));
        assertThat(target).hasToString(written);
    }

    @Test
    void aRelayIsNotItsDomain() throws Exception {
        assertThat(of("[example.com]")).isNotEqualTo(of("example.com"));
        assertThat(of("[example.com]:587")).isNotEqualTo(of("[example.com]"));
        assertThat(of("example.com")).isEqualTo(DaneTarget.mx("example.com"));
    }

    @Test
    void tlsaRecordsAreLookedUpAtTheNextHopsPort() throws Exception {
        assertThat(of("[relay.example.com]").tlsaName("relay.example.com")).isEqualTo("_25._tcp.relay.example.com");
        assertThat(of("[relay.example.com]:587").tlsaName("relay.example.com"))
                .isEqualTo("_587._tcp.relay.example.com");
        assertThat(of("example.com:2525").tlsaName("mx.example.com")).isEqualTo("_2525._tcp.mx.example.com");
    }

    @Test
    void portOutsideTcpIsRefused() {
        assertThatThrownBy(() -> new DaneTarget("example.com", 0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DaneTarget("example.com", 65536, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void writtenFormReadsBackAsTheSameTarget(@ForAll @IntRange(min = 1, max = 65535) int port,
                                             @ForAll boolean mxLookup) throws Exception {
        DaneTarget target = new DaneTarget("relay.example.com", port, mxLookup);
        assertThat(of(target.toString())).isEqualTo(target);
    }
}
