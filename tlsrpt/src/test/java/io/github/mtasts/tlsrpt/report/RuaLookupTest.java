package io.github.mtasts.tlsrpt.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.policy.ReportUri;
import io.github.mtasts.testing.DnsmasqServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real DNS server (dnsmasq) through the resolver's DNS layer. */
class RuaLookupTest {

    private static DnsmasqServer dns;
    private static RuaLookup lookup;

    @BeforeAll
    static void startDns() {
        dns = DnsmasqServer.builder()
                .txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@good.test,https://reports.good.test/in")
                .txt("_smtp._tls.good.test", "v=spf1 -all")
                .txt("_smtp._tls.split.test", "v=TLSRPTv1; rua=mailto:", "tlsrpt@split.test")
                .txt("_smtp._tls.two.test", "v=TLSRPTv1; rua=mailto:a@two.test")
                .txt("_smtp._tls.two.test", "v=TLSRPTv1; rua=mailto:b@two.test")
                .txt("_smtp._tls.bad.test", "v=TLSRPTv1; rua=http://reports.bad.test/")
                .txt("_smtp._tls.other.test", "hello")
                .host("nodata.test", "127.0.0.1")
                .start();
        lookup = new RuaLookup(DnsTxtLookup.using(List.of(dns.address()), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    private static RuaLookupResult lookUp(RuaLookup with, String domain) throws Exception {
        return with.lookup(domain).get(20, TimeUnit.SECONDS);
    }

    @Test
    void validRecordAmongOtherTxtRecordsIsFound() throws Exception {
        RuaLookupResult result = lookUp(lookup, "good.test");
        assertThat(result).isInstanceOf(RuaLookupResult.Found.class);
        assertThat(((RuaLookupResult.Found) result).record().rua()).extracting(ReportUri::uri)
                .containsExactly("mailto:tlsrpt@good.test", "https://reports.good.test/in");
    }

    @Test
    void characterStringsOfOneRecordAreJoined() throws Exception {
        RuaLookupResult result = lookUp(lookup, "split.test");
        assertThat(((RuaLookupResult.Found) result).record().rua()).extracting(ReportUri::uri)
                .containsExactly("mailto:tlsrpt@split.test");
    }

    @Test
    void twoRecordsMeanNoReportingAndSayWhy() throws Exception {
        assertThat(lookUp(lookup, "two.test")).isEqualTo(new RuaLookupResult.NotReporting(
                "_smtp._tls.two.test: 2 TXT records begin with v=TLSRPTv1; exactly one is allowed (RFC 8460 §3)"));
    }

    @Test
    void invalidRecordMeansNoReportingNamingTheRule() throws Exception {
        RuaLookupResult result = lookUp(lookup, "bad.test");
        assertThat(result).isInstanceOf(RuaLookupResult.NotReporting.class);
        assertThat(((RuaLookupResult.NotReporting) result).reason())
                .startsWith("_smtp._tls.bad.test: ").contains("scheme \"http\" is not supported");
    }

    @Test
    void noCandidateRecordOrNoNameMeansNoReporting() throws Exception {
        assertThat(((RuaLookupResult.NotReporting) lookUp(lookup, "other.test")).reason())
                .contains("no TXT record begins with v=TLSRPTv1");
        assertThat(((RuaLookupResult.NotReporting) lookUp(lookup, "missing.test")).reason()).contains("NXDOMAIN");
    }

    @Test
    void unansweredQueryIsALookupFailureNotAnAnswer() throws Exception {
        InetSocketAddress silent;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            silent = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
            RuaLookup deaf = new RuaLookup(DnsTxtLookup.using(List.of(silent), Duration.ofMillis(300)));
            RuaLookupResult result = lookUp(deaf, "good.test");
            assertThat(result).isInstanceOf(RuaLookupResult.LookupFailed.class);
            assertThat(((RuaLookupResult.LookupFailed) result).detail()).contains("_smtp._tls.good.test");
        }
    }
}
