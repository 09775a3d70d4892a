package io.github.mtasts.resolver.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.StubDnsServer;
import io.github.mtasts.testing.TestCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Discovery end to end against dnsmasq and real HTTPS policy hosts validated with a test CA as {@code ca_file}. */
class MtaStsDiscoveryTest {

    static final String ENFORCE = "version: STSv1\nmode: enforce\nmx: mail.good.test\nmx: *.backup.test\nmax_age: 86400\n";

    @TempDir
    static Path dir;
    static TestCa ca;
    static DnsmasqServer dns;
    static PolicyHttpsServer https;
    static PolicyFetcher fetcher;
    static MtaStsDiscovery discovery;

    @BeforeAll
    static void startWorld() {
        ca = TestCa.create("discovery test CA");
        DnsmasqServer.Builder records = DnsmasqServer.builder();
        for (String domain : List.of("good", "crlf", "testing", "none", "no-version", "bad-mode", "bad-max-age", "no-mx",
                "no-colon", "not-found", "redirect-301", "wrong-type", "oversize-chunked", "untrusted", "mismatch",
                "expired", "self-signed", "hang", "refused")) {
            records.txt("_mta-sts." + domain + ".test", "v=STSv1; id=" + domain.replace("-", ""));
        }
        records.txt("_mta-sts.split.test", "v=STSv1; id=", "split2024")
                .txt("_mta-sts.unchanged.test", "v=STSv1; id=20240501")
                .txt("_mta-sts.cname-target.test", "v=STSv1; id=target1")
                .cname("_mta-sts.alias.test", "_mta-sts.cname-target.test")
                .txt("_mta-sts.two.test", "v=STSv1; id=one")
                .txt("_mta-sts.two.test", "v=STSv1; id=two")
                .txt("_mta-sts.spf-only.test", "v=spf1 -all")
                .txt("_mta-sts.bad-id.test", "v=STSv1; id=not_valid!")
                .host("nodata.test", "127.0.0.9");
        dns = records.start();

        TestCa otherCa = TestCa.create("untrusted CA");
        https = PolicyHttpsServer.builder()
                .host("mta-sts.good.test", tls("mta-sts.good.test"), Response.policy(ENFORCE))
                .host("mta-sts.crlf.test", tls("mta-sts.crlf.test"),
                        Response.policy("version: STSv1\r\nmode: enforce\r\nmx: mail.crlf.test\r\nmax_age: 604800\r\n"))
                .host("mta-sts.testing.test", tls("mta-sts.testing.test"),
                        Response.policy("version: STSv1\nmode: testing\nmx: mx.testing.test\nmax_age: 3600\n"))
                .host("mta-sts.none.test", tls("mta-sts.none.test"), Response.policy("version: STSv1\nmode: none\nmax_age: 60\n"))
                .host("mta-sts.no-version.test", tls("mta-sts.no-version.test"),
                        Response.policy("mode: enforce\nmx: mail.no-version.test\nmax_age: 86400\n"))
                .host("mta-sts.bad-mode.test", tls("mta-sts.bad-mode.test"),
                        Response.policy("version: STSv1\nmode: strict\nmx: mail.bad-mode.test\nmax_age: 86400\n"))
                .host("mta-sts.bad-max-age.test", tls("mta-sts.bad-max-age.test"),
                        Response.policy("version: STSv1\nmode: enforce\nmx: mail.bad-max-age.test\nmax_age: soon\n"))
                .host("mta-sts.no-mx.test", tls("mta-sts.no-mx.test"),
                        Response.policy("version: STSv1\nmode: enforce\nmax_age: 86400\n"))
                .host("mta-sts.no-colon.test", tls("mta-sts.no-colon.test"),
                        Response.policy("version: STSv1\nmode enforce\nmx: mail.no-colon.test\nmax_age: 86400\n"))
                .host("mta-sts.not-found.test", tls("mta-sts.not-found.test"), Response.status(404, "text/plain", ENFORCE))
                .host("mta-sts.redirect-301.test", tls("mta-sts.redirect-301.test"),
                        Response.redirect(301, "https://mta-sts.good.test/.well-known/mta-sts.txt"))
                .host("mta-sts.wrong-type.test", tls("mta-sts.wrong-type.test"), Response.status(200, "text/html", ENFORCE))
                .host("mta-sts.oversize-chunked.test", tls("mta-sts.oversize-chunked.test"),
                        Response.large(PolicyFetcher.MAX_BODY_BYTES * 2, false))
                .host("mta-sts.untrusted.test", otherCa.issue("mta-sts.untrusted.test").serverContext(), Response.policy(ENFORCE))
                .host("mta-sts.mismatch.test", tls("mta-sts.good.test"), Response.policy(ENFORCE))
                .host("mta-sts.expired.test", ca.issueExpired("mta-sts.expired.test").serverContext(), Response.policy(ENFORCE))
                .host("mta-sts.self-signed.test", TestCa.selfSigned("mta-sts.self-signed.test").serverContext(),
                        Response.policy(ENFORCE))
                .host("mta-sts.hang.test", tls("mta-sts.hang.test"), Response.hang())
                .host("mta-sts.split.test", tls("mta-sts.split.test"), Response.policy(ENFORCE))
                .host("mta-sts.unchanged.test", tls("mta-sts.unchanged.test"), Response.policy(ENFORCE))
                .host("mta-sts.alias.test", tls("mta-sts.alias.test"), Response.policy(ENFORCE))
                .start();

        Path caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        fetcher = new PolicyFetcher(Duration.ofSeconds(10), PolicyFetcher.trustFrom(caFile), Optional.empty(), https.port());
        discovery = new MtaStsDiscovery(DnsTxtLookup.using(List.of(dns.address()), Duration.ofSeconds(5)), fetcher);
    }

    static SSLContext tls(String name) {
        return ca.issue(name).serverContext();
    }

    @AfterAll
    static void stopWorld() {
        if (https != null) {
            https.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    static DiscoveryResult discover(String domain) {
        return discovery.discover(domain, null).join();
    }

    static StsPolicy found(DiscoveryResult result, String expectedId) {
        assertThat(result).as(String.valueOf(result)).isInstanceOf(DiscoveryResult.Found.class);
        DiscoveryResult.Found found = (DiscoveryResult.Found) result;
        assertThat(found.txtId()).isEqualTo(expectedId);
        return found.policy();
    }

    static void failed(DiscoveryResult result, FailureType type, String detailPart) {
        assertThat(result).as(String.valueOf(result)).isInstanceOf(DiscoveryResult.Failed.class);
        DiscoveryResult.Failed failed = (DiscoveryResult.Failed) result;
        assertThat(failed.type()).as(failed.detail()).isEqualTo(type);
        assertThat(failed.detail()).contains(detailPart);
    }

    @Test
    void findsEnforcePolicy() {
        StsPolicy policy = found(discover("good.test"), "good");
        assertThat(policy.mode()).isEqualTo(PolicyMode.ENFORCE);
        assertThat(policy.maxAge()).isEqualTo(86400);
        assertThat(policy.mx()).containsExactly(new MxPattern("mail.good.test"), new MxPattern("*.backup.test"));
    }

    @Test
    void findsPolicyWithCrlfLineEnds() {
        StsPolicy policy = found(discover("crlf.test"), "crlf");
        assertThat(policy.lines()).containsExactly("version: STSv1", "mode: enforce", "mx: mail.crlf.test", "max_age: 604800");
    }

    @Test
    void findsTestingPolicy() {
        assertThat(found(discover("testing.test"), "testing").mode()).isEqualTo(PolicyMode.TESTING);
    }

    @Test
    void findsNonePolicy() {
        StsPolicy policy = found(discover("none.test"), "none");
        assertThat(policy.mode()).isEqualTo(PolicyMode.NONE);
        assertThat(policy.mx()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-version.test", "bad-mode.test", "bad-max-age.test", "no-mx.test", "no-colon.test"})
    void policyThatDoesNotParseIsPolicyInvalid(String domain) {
        failed(discover(domain), FailureType.POLICY_INVALID, "https://mta-sts." + domain + ":" + https.port() + "/.well-known/mta-sts.txt: ");
    }

    @Test
    void notFoundIsFetchError() {
        failed(discover("not-found.test"), FailureType.POLICY_FETCH_ERROR, "HTTP status 404");
    }

    @Test
    void redirectToValidPolicyIsNotFollowed() {
        int before = https.requests("mta-sts.good.test");
        failed(discover("redirect-301.test"), FailureType.POLICY_FETCH_ERROR, "HTTP 301 redirect");
        assertThat(https.requests("mta-sts.good.test")).isEqualTo(before);
    }

    @Test
    void wrongContentTypeIsFetchError() {
        failed(discover("wrong-type.test"), FailureType.POLICY_FETCH_ERROR, "expected text/plain");
    }

    @Test
    void oversizeBodyIsFetchError() {
        failed(discover("oversize-chunked.test"), FailureType.POLICY_FETCH_ERROR, "body exceeds 65536 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"untrusted.test", "mismatch.test", "expired.test", "self-signed.test"})
    void invalidCertificateIsWebPkiInvalid(String domain) {
        failed(discover(domain), FailureType.WEBPKI_INVALID, "mta-sts." + domain);
    }

    @Test
    void hangingPolicyHostIsFetchErrorAfterTimeout() {
        PolicyFetcher impatient = new PolicyFetcher(Duration.ofSeconds(1), PolicyFetcher.trustFrom(dir.resolve("ca.pem")),
                Optional.empty(), https.port());
        MtaStsDiscovery impatientDiscovery =
                new MtaStsDiscovery(DnsTxtLookup.using(List.of(dns.address()), Duration.ofSeconds(5)), impatient);
        failed(impatientDiscovery.discover("hang.test", null).join(), FailureType.POLICY_FETCH_ERROR, "timeout after PT1S");
    }

    @Test
    void policyHostRefusingConnectionsIsFetchError() {
        failed(discover("refused.test"), FailureType.POLICY_FETCH_ERROR, "mta-sts.refused.test");
    }

    @Test
    void txtRecordSplitIntoSeveralStringsIsJoined() {
        found(discover("split.test"), "split2024");
    }

    @Test
    void txtRecordBehindCnameIsFound() {
        found(discover("alias.test"), "target1");
    }

    @Test
    void knownIdAnswersUnchangedWithoutFetching() {
        int before = https.requests("mta-sts.unchanged.test");
        assertThat(discovery.discover("unchanged.test", "20240501").join()).isEqualTo(new DiscoveryResult.Unchanged("20240501"));
        assertThat(https.requests("mta-sts.unchanged.test")).isEqualTo(before);
    }

    @Test
    void otherKnownIdFetchesThePolicy() {
        int before = https.requests("mta-sts.unchanged.test");
        assertThat(discovery.discover("unchanged.test", "20230101").join()).isInstanceOf(DiscoveryResult.Found.class);
        assertThat(https.requests("mta-sts.unchanged.test")).isEqualTo(before + 1);
    }

    @Test
    void everyFetchIsReportedToTheObserverButAKnownIdFetchesNothing() {
        List<FetchResult> fetches = new java.util.concurrent.CopyOnWriteArrayList<>();
        MtaStsDiscovery observed = new MtaStsDiscovery(DnsTxtLookup.using(List.of(dns.address()), Duration.ofSeconds(5)),
                fetcher, (result, elapsedNanos) -> {
                    assertThat(elapsedNanos).isNotNegative();
                    fetches.add(result);
                });

        observed.discover("good.test", null).join();
        observed.discover("not-found.test", null).join();
        observed.discover("unchanged.test", "20240501").join();
        observed.discover("missing.test", null).join();

        assertThat(fetches).hasSize(2);
        assertThat(fetches.get(0)).isEqualTo(new FetchResult.Body(ENFORCE));
        assertThat(fetches.get(1)).isInstanceOfSatisfying(FetchResult.Failure.class,
                failure -> assertThat(failure.type()).isEqualTo(FailureType.POLICY_FETCH_ERROR));
    }

    @Test
    void nxdomainIsNoPolicy() {
        assertThat(discover("missing.test")).isEqualTo(new DiscoveryResult.NoPolicy("_mta-sts.missing.test: NXDOMAIN"));
    }

    @Test
    void nodataIsNoPolicy() {
        assertThat(discover("nodata.test")).isInstanceOf(DiscoveryResult.NoPolicy.class);
    }

    @Test
    void txtWithoutStsRecordIsNoPolicy() {
        assertThat(discover("spf-only.test")).isInstanceOf(DiscoveryResult.NoPolicy.class);
    }

    @Test
    void twoStsRecordsAreTxtInvalid() {
        failed(discover("two.test"), FailureType.TXT_INVALID, "_mta-sts.two.test");
    }

    @Test
    void invalidStsRecordIsTxtInvalid() {
        failed(discover("bad-id.test"), FailureType.TXT_INVALID, "_mta-sts.bad-id.test");
    }

    @Test
    void dnsTimeoutIsDnsFailure() {
        try (StubDnsServer silent = StubDnsServer.silent()) {
            MtaStsDiscovery timingOut = new MtaStsDiscovery(
                    DnsTxtLookup.using(List.of(silent.address()), Duration.ofMillis(500)), fetcher);
            failed(timingOut.discover("good.test", null).join(), FailureType.DNS_FAILURE, "timeout");
        }
    }

    @Test
    void servfailIsDnsFailure() {
        try (StubDnsServer servfail = StubDnsServer.servfail()) {
            MtaStsDiscovery failing = new MtaStsDiscovery(
                    DnsTxtLookup.using(List.of(servfail.address()), Duration.ofSeconds(5)), fetcher);
            failed(failing.discover("good.test", null).join(), FailureType.DNS_FAILURE, "SERVFAIL");
        }
    }

    @Test
    void domainThatIsNotADnsNameCompletesWithFailure() {
        failed(discover("x".repeat(300) + ".test"), FailureType.DNS_FAILURE, "invalid DNS name");
    }
}
