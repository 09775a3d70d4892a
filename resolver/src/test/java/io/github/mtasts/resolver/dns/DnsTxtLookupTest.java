package io.github.mtasts.resolver.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.StubDnsServer;
import io.github.mtasts.testing.SystemResolverOverride;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DnsTxtLookupTest {

    static DnsmasqServer dns;
    static DnsTxtLookup lookup;

    @BeforeAll
    static void startDns() {
        dns = DnsmasqServer.builder()
                .txt("_mta-sts.good.test", "v=STSv1; id=20240101")
                .txt("_mta-sts.split.test", "v=STSv1; ", "id=split1")
                .txt("_mta-sts.two.test", "v=STSv1; id=a")
                .txt("_mta-sts.two.test", "v=STSv1; id=b")
                .txt("_mta-sts.target.test", "v=STSv1; id=viacname")
                .cname("_mta-sts.alias.test", "_mta-sts.target.test")
                .host("nodata.test", "127.0.0.9")
                .txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@good.test")
                .start();
        lookup = DnsTxtLookup.using(List.of(dns.address()), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    TxtLookupResult txt(String name) {
        return lookup.lookupTxt(name).join();
    }

    @Test
    void systemLookupAsksTheResolversOfTheSystemConfiguration() {
        try (SystemResolverOverride system = SystemResolverOverride.pointingAt(dns.hostPort())) {
            assertThat(DnsTxtLookup.system(Duration.ofSeconds(5)).lookupTxt("_mta-sts.good.test").join())
                    .isEqualTo(new TxtLookupResult.Records(List.of("v=STSv1; id=20240101")));
        }
    }

    @Test
    void returnsTheTxtRecord() {
        assertThat(txt("_mta-sts.good.test")).isEqualTo(new TxtLookupResult.Records(List.of("v=STSv1; id=20240101")));
    }

    @Test
    void acceptsAbsoluteNames() {
        assertThat(txt("_mta-sts.good.test.")).isEqualTo(new TxtLookupResult.Records(List.of("v=STSv1; id=20240101")));
    }

    @Test
    void joinsTheCharacterStringsOfOneRecord() {
        assertThat(txt("_mta-sts.split.test")).isEqualTo(new TxtLookupResult.Records(List.of("v=STSv1; id=split1")));
    }

    @Test
    void returnsEveryRecordAtTheName() {
        TxtLookupResult result = txt("_mta-sts.two.test");
        assertThat(result).isInstanceOf(TxtLookupResult.Records.class);
        assertThat(((TxtLookupResult.Records) result).texts()).containsExactlyInAnyOrder("v=STSv1; id=a", "v=STSv1; id=b");
    }

    @Test
    void followsCname() {
        assertThat(txt("_mta-sts.alias.test")).isEqualTo(new TxtLookupResult.Records(List.of("v=STSv1; id=viacname")));
    }

    @Test
    void looksUpTlsrptRecordsToo() {
        assertThat(txt("_smtp._tls.good.test"))
                .isEqualTo(new TxtLookupResult.Records(List.of("v=TLSRPTv1; rua=mailto:tlsrpt@good.test")));
    }

    @Test
    void nonexistentNameIsNoRecord() {
        assertThat(txt("_mta-sts.missing.test")).isEqualTo(new TxtLookupResult.NoRecord("_mta-sts.missing.test: NXDOMAIN"));
    }

    @Test
    void nameWithoutTxtIsNoRecord() {
        assertThat(txt("nodata.test")).isEqualTo(new TxtLookupResult.NoRecord("nodata.test: no TXT record (NODATA)"));
    }

    @Test
    void silentServerIsTimeoutFailure() {
        try (StubDnsServer silent = StubDnsServer.silent()) {
            DnsTxtLookup timingOut = DnsTxtLookup.using(List.of(silent.address()), Duration.ofMillis(500));
            TxtLookupResult result = timingOut.lookupTxt("_mta-sts.good.test").join();
            assertThat(result).isInstanceOf(TxtLookupResult.Failure.class);
            assertThat(((TxtLookupResult.Failure) result).detail()).contains("_mta-sts.good.test TXT: timeout after PT0.5S");
            assertThat(silent.queries()).isPositive();
        }
    }

    @Test
    void servfailIsFailureNotNoRecord() {
        try (StubDnsServer servfail = StubDnsServer.servfail()) {
            DnsTxtLookup failing = DnsTxtLookup.using(List.of(servfail.address()), Duration.ofSeconds(5));
            TxtLookupResult result = failing.lookupTxt("_mta-sts.good.test").join();
            assertThat(result).isInstanceOf(TxtLookupResult.Failure.class);
            assertThat(((TxtLookupResult.Failure) result).detail()).contains("_mta-sts.good.test TXT: SERVFAIL");
        }
    }

    @Test
    void seesChangedRecordsAfterReconfigure() {
        try (DnsmasqServer changing = DnsmasqServer.builder().txt("_mta-sts.change.test", "v=STSv1; id=old").start()) {
            DnsTxtLookup own = DnsTxtLookup.using(List.of(changing.address()), Duration.ofSeconds(5));
            assertThat(own.lookupTxt("_mta-sts.change.test").join())
                    .isEqualTo(new TxtLookupResult.Records(List.of("v=STSv1; id=old")));
            changing.reconfigure(DnsmasqServer.builder().txt("_mta-sts.change.test", "v=STSv1; id=new"));
            assertThat(own.lookupTxt("_mta-sts.change.test").join())
                    .isEqualTo(new TxtLookupResult.Records(List.of("v=STSv1; id=new")));
        }
    }

    @Test
    void parsesServerWithAndWithoutPort() {
        assertThat(DnsTxtLookup.parseServer("127.0.0.53")).isEqualTo(new InetSocketAddress("127.0.0.53", 53));
        assertThat(DnsTxtLookup.parseServer("127.0.0.1:5353")).isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(DnsTxtLookup.parseServer("::1")).isEqualTo(new InetSocketAddress("::1", 53));
        assertThat(DnsTxtLookup.parseServer("[::1]:5353")).isEqualTo(new InetSocketAddress("::1", 5353));
    }

    @Test
    void rejectsServerThatIsNotAnAddressOrHasBadPort() {
        assertThatThrownBy(() -> DnsTxtLookup.parseServer("dns.example")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> DnsTxtLookup.parseServer("127.0.0.1:0")).hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> DnsTxtLookup.parseServer("[::1")).hasMessageContaining("missing ']'");
    }
}
