package io.github.mtasts.resolver.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.testing.ConnectProxy;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.TestCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PolicyFetcherTest {

    static final String POLICY = "version: STSv1\nmode: enforce\nmx: mail.good.test\nmax_age: 86400\n";

    @TempDir
    static Path dir;
    static TestCa ca;
    static PolicyHttpsServer https;
    static PolicyFetcher fetcher;
    /** For hosts that never answer; everything else gets a timeout generous enough for a loaded CI machine. */
    static PolicyFetcher impatientFetcher;

    @BeforeAll
    static void startHosts() throws Exception {
        ca = TestCa.create("fetcher test CA");
        TestCa otherCa = TestCa.create("untrusted CA");
        https = PolicyHttpsServer.builder()
                .host("mta-sts.good.test", tls("mta-sts.good.test"), Response.policy(POLICY))
                .host("mta-sts.charset.test", tls("mta-sts.charset.test"),
                        Response.status(200, "text/plain; charset=utf-8", POLICY))
                .host("mta-sts.upper-type.test", tls("mta-sts.upper-type.test"), Response.status(200, "TEXT/Plain", POLICY))
                .host("mta-sts.not-found.test", tls("mta-sts.not-found.test"), Response.status(404, "text/plain", POLICY))
                .host("mta-sts.redirect-301.test", tls("mta-sts.redirect-301.test"), Response.redirect(301, goodUrl()))
                .host("mta-sts.redirect-302.test", tls("mta-sts.redirect-302.test"), Response.redirect(302, goodUrl()))
                .host("mta-sts.wrong-type.test", tls("mta-sts.wrong-type.test"), Response.status(200, "text/html", POLICY))
                .host("mta-sts.no-type.test", tls("mta-sts.no-type.test"), Response.status(200, null, POLICY))
                .host("mta-sts.oversize-chunked.test", tls("mta-sts.oversize-chunked.test"),
                        Response.large(PolicyFetcher.MAX_BODY_BYTES + 1, false))
                .host("mta-sts.oversize-length.test", tls("mta-sts.oversize-length.test"),
                        Response.large(PolicyFetcher.MAX_BODY_BYTES + 1, true))
                .host("mta-sts.exactly-limit.test", tls("mta-sts.exactly-limit.test"),
                        Response.large(PolicyFetcher.MAX_BODY_BYTES, false))
                .host("mta-sts.not-utf8.test", tls("mta-sts.not-utf8.test"),
                        Response.bytes("text/plain", new byte[] {'m', 'x', ':', ' ', (byte) 0xC3, (byte) 0x28}))
                .host("mta-sts.untrusted.test", otherCa.issue("mta-sts.untrusted.test").serverContext(), Response.policy(POLICY))
                .host("mta-sts.mismatch.test", tls("mta-sts.other.test"), Response.policy(POLICY))
                .host("mta-sts.expired.test", ca.issueExpired("mta-sts.expired.test").serverContext(), Response.policy(POLICY))
                .host("mta-sts.self-signed.test", TestCa.selfSigned("mta-sts.self-signed.test").serverContext(),
                        Response.policy(POLICY))
                .host("mta-sts.hang.test", tls("mta-sts.hang.test"), Response.hang())
                .host("mta-sts.hang-body.test", tls("mta-sts.hang-body.test"), Response.hangInBody())
                .start();
        Path caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        fetcher = new PolicyFetcher(Duration.ofSeconds(10), PolicyFetcher.trustFrom(caFile), Optional.empty(), https.port());
        impatientFetcher = new PolicyFetcher(Duration.ofSeconds(1), PolicyFetcher.trustFrom(caFile), Optional.empty(), https.port());
    }

    static SSLContext tls(String name) {
        return ca.issue(name).serverContext();
    }

    static String goodUrl() {
        // the port is not known yet while building; a redirect target on 443 would be refused anyway, so point at
        // the good host through its name only: the test asserts the redirect is never followed (no request there)
        return "https://mta-sts.good.test/.well-known/mta-sts.txt";
    }

    @AfterAll
    static void stopHosts() {
        https.close();
    }

    FetchResult fetch(String domain) {
        return fetcher.fetch(domain).join();
    }

    @Test
    void returnsBodyOfTextPlain200() {
        assertThat(fetch("good.test")).isEqualTo(new FetchResult.Body(POLICY));
    }

    @Test
    void sendsThePolicyHostAsSni() {
        fetch("good.test");

        assertThat(https.serverNames("mta-sts.good.test")).isNotEmpty().containsOnly("mta-sts.good.test");
    }

    @Test
    void everyFetchReachesThePolicyHostAndAsksCachesInBetweenToRevalidate() {
        int before = https.requests("mta-sts.good.test");

        fetch("good.test");
        fetch("good.test");

        assertThat(https.requests("mta-sts.good.test")).isEqualTo(before + 2);
        Map<String, List<String>> headers = https.lastRequestHeaders("mta-sts.good.test");
        assertThat(headers).containsEntry("cache-control", List.of("no-cache"))
                .doesNotContainKeys("if-none-match", "if-modified-since");
    }

    @Test
    void requestsTheWellKnownPolicyUrlOnTheConfiguredPort() {
        assertThat(fetcher.policyUri("good.test").toString())
                .isEqualTo("https://mta-sts.good.test:" + https.port() + "/.well-known/mta-sts.txt");
    }

    @Test
    void productionPolicyUrlHasNoPort() {
        PolicyFetcher production = PolicyFetcher.create(Duration.ofSeconds(1), Optional.empty(), PolicyFetcher.HTTPS_PORT);
        assertThat(production.policyUri("example.com").toString()).isEqualTo("https://mta-sts.example.com/.well-known/mta-sts.txt");
    }

    @Test
    void acceptsContentTypeWithParameters() {
        assertThat(fetch("charset.test")).isEqualTo(new FetchResult.Body(POLICY));
    }

    @Test
    void acceptsContentTypeInAnyCase() {
        assertThat(fetch("upper-type.test")).isEqualTo(new FetchResult.Body(POLICY));
    }

    @Test
    void statusOtherThan200IsFetchError() {
        assertFailure(fetch("not-found.test"), FailureType.POLICY_FETCH_ERROR, "HTTP status 404");
    }

    @Test
    void permanentRedirectIsNotFollowed() {
        int before = https.requests("mta-sts.good.test");
        assertFailure(fetch("redirect-301.test"), FailureType.POLICY_FETCH_ERROR, "HTTP 301 redirect to " + goodUrl());
        assertThat(https.requests("mta-sts.good.test")).isEqualTo(before);
    }

    @Test
    void temporaryRedirectIsNotFollowed() {
        int before = https.requests("mta-sts.good.test");
        assertFailure(fetch("redirect-302.test"), FailureType.POLICY_FETCH_ERROR, "HTTP 302 redirect");
        assertThat(https.requests("mta-sts.good.test")).isEqualTo(before);
    }

    @Test
    void otherContentTypeIsFetchError() {
        assertFailure(fetch("wrong-type.test"), FailureType.POLICY_FETCH_ERROR, "Content-Type \"text/html\"");
    }

    @Test
    void missingContentTypeIsFetchError() {
        assertFailure(fetch("no-type.test"), FailureType.POLICY_FETCH_ERROR, "Content-Type missing");
    }

    @Test
    void streamedBodyOverLimitIsFetchError() {
        assertFailure(fetch("oversize-chunked.test"), FailureType.POLICY_FETCH_ERROR, "body exceeds 65536 bytes");
    }

    @Test
    void announcedLengthOverLimitIsFetchError() {
        assertFailure(fetch("oversize-length.test"), FailureType.POLICY_FETCH_ERROR, "Content-Length 65537 exceeds 65536");
    }

    @Test
    void bodyOfExactlyTheLimitIsAccepted() {
        FetchResult result = fetch("exactly-limit.test");
        assertThat(result).isInstanceOf(FetchResult.Body.class);
        assertThat(((FetchResult.Body) result).text()).hasSize(PolicyFetcher.MAX_BODY_BYTES);
    }

    @Test
    void bodyThatIsNotUtf8IsPolicyInvalid() {
        assertFailure(fetch("not-utf8.test"), FailureType.POLICY_INVALID, "not valid UTF-8");
    }

    @Test
    void certificateFromUntrustedIssuerIsWebPkiInvalid() {
        assertFailure(fetch("untrusted.test"), FailureType.WEBPKI_INVALID, "certificate not valid");
    }

    @Test
    void certificateForAnotherNameIsWebPkiInvalid() {
        assertFailure(fetch("mismatch.test"), FailureType.WEBPKI_INVALID, "mta-sts.mismatch.test");
    }

    @Test
    void expiredCertificateIsWebPkiInvalid() {
        assertFailure(fetch("expired.test"), FailureType.WEBPKI_INVALID, "certificate not valid");
    }

    @Test
    void selfSignedCertificateIsWebPkiInvalid() {
        assertFailure(fetch("self-signed.test"), FailureType.WEBPKI_INVALID, "certificate not valid");
    }

    @Test
    void caFileReplacesTheJdkTrustStore() {
        PolicyFetcher jdkTrust = new PolicyFetcher(Duration.ofSeconds(10), PolicyFetcher.defaultTrust(), Optional.empty(), https.port());
        assertFailure(jdkTrust.fetch("good.test").join(), FailureType.WEBPKI_INVALID, "certificate not valid");
    }

    /** ~1 KiB of heap per kept session: the JDK's 20,480 would hold ~20 MiB for a site with that many domains. */
    @Test
    void bothTrustsKeepAtMostTheBoundedNumberOfTlsSessions() {
        assertThat(PolicyFetcher.trustFrom(dir.resolve("ca.pem")).getClientSessionContext().getSessionCacheSize())
                .isEqualTo(PolicyFetcher.TLS_SESSIONS_KEPT);
        assertThat(PolicyFetcher.defaultTrust().getClientSessionContext().getSessionCacheSize())
                .isEqualTo(PolicyFetcher.TLS_SESSIONS_KEPT);
    }

    @Test
    void caFileWithoutCertificateIsRejectedNamingTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "# nothing here\n", StandardCharsets.US_ASCII);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PolicyFetcher.trustFrom(empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ca_file " + empty);
    }

    @Test
    void httpsProxyFromEnvironmentTunnelsTheFetch() {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            PolicyFetcher proxied = new PolicyFetcher(Duration.ofSeconds(10), fetcherTrust(),
                    EnvironmentProxySelector.fromEnvironment(Map.of("https_proxy", "http://127.0.0.1:" + proxy.port())),
                    https.port());
            assertThat(proxied.fetch("good.test").join()).isEqualTo(new FetchResult.Body(POLICY));
            assertThat(proxy.targets()).containsExactly("mta-sts.good.test:" + https.port());
        }
    }

    @Test
    void noProxyDomainIsFetchedDirectly() {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            PolicyFetcher direct = new PolicyFetcher(Duration.ofSeconds(10), fetcherTrust(),
                    EnvironmentProxySelector.fromEnvironment(
                            Map.of("https_proxy", "http://127.0.0.1:" + proxy.port(), "no_proxy", "good.test")),
                    https.port());
            assertThat(direct.fetch("good.test").join()).isEqualTo(new FetchResult.Body(POLICY));
            assertThat(proxy.targets()).isEmpty();
        }
    }

    @Test
    void certificateIsValidatedThroughTheProxyTunnel() {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            PolicyFetcher proxied = new PolicyFetcher(Duration.ofSeconds(10), fetcherTrust(),
                    EnvironmentProxySelector.fromEnvironment(Map.of("https_proxy", "http://127.0.0.1:" + proxy.port())),
                    https.port());
            assertFailure(proxied.fetch("mismatch.test").join(), FailureType.WEBPKI_INVALID, "mta-sts.mismatch.test");
        }
    }

    static SSLContext fetcherTrust() {
        return PolicyFetcher.trustFrom(dir.resolve("ca.pem"));
    }

    @Test
    void serverThatNeverAnswersTimesOut() {
        assertFailure(impatientFetcher.fetch("hang.test").join(), FailureType.POLICY_FETCH_ERROR, "timeout after PT1S");
    }

    @Test
    void bodyThatStallsTimesOut() {
        assertFailure(impatientFetcher.fetch("hang-body.test").join(), FailureType.POLICY_FETCH_ERROR, "timeout after PT1S");
    }

    @Test
    void refusedConnectionIsFetchError() {
        assertFailure(fetch("refused.test"), FailureType.POLICY_FETCH_ERROR, "mta-sts.refused.test");
    }

    @Test
    void unresolvablePolicyHostIsFetchError() {
        assertFailure(fetch("unknown-host.test"), FailureType.POLICY_FETCH_ERROR, "mta-sts.unknown-host.test");
    }

    @Test
    void warmUpBuildsTheTrustTheLaterFetchUses() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        PolicyFetcher warmed = new PolicyFetcher(Duration.ofSeconds(10), () -> {
            builds.incrementAndGet();
            return PolicyFetcher.trustFrom(dir.resolve("ca.pem"));
        }, Optional.empty(), https.port());

        warmed.warmUp();
        assertThat(builds).hasValue(1);
        assertThat(warmed.fetch("good.test").join()).isEqualTo(new FetchResult.Body(POLICY));
        assertThat(builds).hasValue(1);
    }

    @Test
    @Timeout(60)
    void fetchArrivingDuringWarmUpWaitsForTheSameTrust() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PolicyFetcher warmed = new PolicyFetcher(Duration.ofSeconds(10), () -> {
            builds.incrementAndGet();
            building.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return PolicyFetcher.trustFrom(dir.resolve("ca.pem"));
        }, Optional.empty(), https.port());
        CompletableFuture<Void> warmUp = CompletableFuture.runAsync(() -> {
            try {
                warmed.warmUp();
            } catch (SSLException e) {
                throw new IllegalStateException(e);
            }
        });
        building.await();
        CompletableFuture<FetchResult> fetched = new CompletableFuture<>();
        Thread fetching = new Thread(() -> fetched.complete(warmed.fetch("good.test").join()));
        fetching.start();
        while (fetching.getState() != Thread.State.BLOCKED) {
            Thread.onSpinWait();  // until the fetch waits for the warm-up's client (the test's timeout bounds this)
        }
        release.countDown();

        warmUp.get(30, TimeUnit.SECONDS);
        assertThat(fetched.get(30, TimeUnit.SECONDS)).isEqualTo(new FetchResult.Body(POLICY));
        assertThat(builds).hasValue(1);
    }

    @Test
    void failedWarmUpLeavesEachFetchToReportTheFailure() {
        PolicyFetcher broken = new PolicyFetcher(Duration.ofSeconds(10), () -> {
            throw new IllegalStateException("trust store unreadable");
        }, Optional.empty(), https.port());

        assertThatThrownBy(broken::warmUp).isInstanceOf(IllegalStateException.class).hasMessage("trust store unreadable");
        assertFailure(broken.fetch("good.test").join(), FailureType.POLICY_FETCH_ERROR, "trust store unreadable");
    }

    @Test
    void textPlainCheckIgnoresParametersAndCase() {
        assertThat(PolicyFetcher.isTextPlain("text/plain")).isTrue();
        assertThat(PolicyFetcher.isTextPlain(" Text/Plain ; charset=\"utf-8\"")).isTrue();
        assertThat(PolicyFetcher.isTextPlain("text/plainx")).isFalse();
        assertThat(PolicyFetcher.isTextPlain("text/html; x=text/plain")).isFalse();
    }

    static void assertFailure(FetchResult result, FailureType type, String detailPart) {
        assertThat(result).isInstanceOf(FetchResult.Failure.class);
        FetchResult.Failure failure = (FetchResult.Failure) result;
        assertThat(failure.type()).as(failure.detail()).isEqualTo(type);
        assertThat(failure.detail()).contains(detailPart);
    }
}
