package io.github.mtasts.resolver.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.StubDnsServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DnsMxLookupTest {

    private static DnsmasqServer dns;
    private static DnsMxLookup lookup;

    @BeforeAll
    static void start() {
        dns = DnsmasqServer.builder()
                .mx("mail.test", "mx2.mail.test", 20)
                .mx("mail.test", "MX1.mail.test", 10)
                .host("mx1.mail.test", "192.0.2.1,2001:db8::1")
                .host("mx2.mail.test", "192.0.2.2")
                .txt("nomx.test", "v=spf1 -all")
                .mx("nullmx.test", ".", 0)
                .start();
        lookup = DnsMxLookup.using(List.of(dns.address()), Duration.ofSeconds(3));
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    @Test
    void mxHostsComeLowestPreferenceFirstInLowerCase() {
        assertThat(lookup.lookupMx("mail.test").join()).isEqualTo(new DnsAnswer.Found<>(List.of(
                new MxHost("mx1.mail.test", 10), new MxHost("mx2.mail.test", 20))));
    }

    @Test
    void nullMxKeepsTheRootAsItsHost() {
        assertThat(lookup.lookupMx("nullmx.test").join()).isEqualTo(new DnsAnswer.Found<>(List.of(new MxHost(".", 0))));
    }

    @Test
    void nameWithoutMxIsNoRecord() {
        assertThat(lookup.lookupMx("nomx.test").join()).isInstanceOf(DnsAnswer.NoRecord.class);
    }

    @Test
    void unknownNameIsNoRecordSayingNxdomain() {
        assertThat(lookup.lookupMx("absent.test").join())
                .isEqualTo(new DnsAnswer.NoRecord<>("absent.test MX: NXDOMAIN"));
    }

    @Test
    void addressesIncludeIpv4AndIpv6() throws Exception {
        assertThat(lookup.lookupAddresses("mx1.mail.test").join()).isEqualTo(new DnsAnswer.Found<>(List.of(
                InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::1"))));
    }

    @Test
    void ipv4OnlyHostHasOneAddress() throws Exception {
        assertThat(lookup.lookupAddresses("mx2.mail.test").join())
                .isEqualTo(new DnsAnswer.Found<>(List.of(InetAddress.getByName("192.0.2.2"))));
    }

    @Test
    void hostWithoutAddressIsNoRecord() {
        assertThat(lookup.lookupAddresses("nomx.test").join())
                .isEqualTo(new DnsAnswer.NoRecord<>("nomx.test: no A or AAAA record"));
    }

    @Test
    void servfailIsAFailureNotNoRecord() {
        try (StubDnsServer stub = StubDnsServer.servfail()) {
            DnsMxLookup failing = DnsMxLookup.using(List.of(stub.address()), Duration.ofSeconds(2));

            assertThat(failing.lookupMx("mail.test").join()).isInstanceOf(DnsAnswer.Failure.class);
            assertThat(failing.lookupAddresses("mx1.mail.test").join()).isInstanceOf(DnsAnswer.Failure.class);
        }
    }

    @Test
    void silentServerIsATimeoutFailure() {
        try (StubDnsServer stub = StubDnsServer.silent()) {
            DnsAnswer<MxHost> answer = DnsMxLookup.using(List.of(stub.address()), Duration.ofMillis(500)).lookupMx("mail.test").join();

            assertThat(answer).isInstanceOf(DnsAnswer.Failure.class);
            assertThat(((DnsAnswer.Failure<MxHost>) answer).detail()).startsWith("mail.test MX: timeout after PT0.5S");
        }
    }
}
