package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.github.mtasts.resolver.cache.CachedPolicy;
import io.github.mtasts.resolver.cache.SqlitePolicyStore;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Loads the dashboard in a real headless Chromium (Debian's chromium and chromium-driver) and reads its figures. */
@Timeout(120)
class DashboardServerTest {

    private static final String TOKEN = "s3cret-token";

    @TempDir
    Path dir;

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");

    private SqliteInboundReportStore store;
    private SqlitePolicyStore policies;
    private DashboardServer server;

    @BeforeEach
    void start() throws Exception {
        store = SqliteInboundReportStore.open(dir.resolve("cache.db"));
        ReportIntake intake = new ReportIntake(new ReportExtractor(1 << 20), store,
                new InboundMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        for (String sample : List.of(Samples.MICROSOFT, Samples.MAIL_RU, Samples.PARSEDMARC_GOOGLE_STYLE,
                Samples.GOOGLE_DIGILICIOUS)) {
            assertThat(intake.acceptFile(sample, Samples.bytes(sample)).result()).isEqualTo(ReportIntake.Result.STORED);
        }
        policies = SqlitePolicyStore.open(dir.resolve("cache.db"));
        policies.save(new CachedPolicy("example.com", "20240101", StsPolicy.parse(
                "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n"),
                NOW.minusSeconds(3600), NOW.plusSeconds(86400 - 3600), NOW.minusSeconds(60)));
        policies.discoveryFailure("xxxxxxxx.xx", NOW,
                DiscoveryResult.FailureType.POLICY_FETCH_ERROR, "HTTP status 404");
        server = DashboardServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), store,
                Optional.of(policies), Optional.of(TOKEN), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
        policies.close();
    }

    private String url(String query) {
        return "http://127.0.0.1:" + server.address().getPort() + "/" + query;
    }

    @Test
    void pageInChromiumShowsTheStoredFigures() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            browser.get(url("?token=" + TOKEN));

            assertThat(browser.getTitle()).isEqualTo("mtasts: inbound TLS reports");
            assertThat(browser.findElement(By.id("summary")).getText()).isEqualTo("4 reports from 4 organisations");
            for (InboundReport report : store.reports()) {
                InboundPolicy policy = report.policies().get(0);
                WebElement row = browser.findElement(By.cssSelector("section[data-domain='"
                        + policy.policyDomain().orElseThrow() + "'] tr[data-organization='"
                        + report.organizationName() + "']"));
                assertThat(row.findElement(By.className("successful")).getText())
                        .isEqualTo(Long.toString(policy.successfulSessions()));
                assertThat(row.findElement(By.className("failed")).getText())
                        .isEqualTo(Long.toString(policy.failedSessions()));
            }
            List<WebElement> details = browser.findElements(By.cssSelector(
                    "section[data-domain='xxxxxxxx.xx'] table.failures tr"));
            assertThat(details).hasSize(2);
            assertThat(details.get(1).getText()).contains("Microsoft Corporation", "sts-policy-fetch-error", "3");
            assertThat(browser.findElements(By.cssSelector("svg.failure-rate rect.rate"))).hasSize(4);
            WebElement cached = browser.findElement(By.cssSelector("#policy-cache tr[data-domain='example.com']"));
            assertThat(cached.findElement(By.className("mode")).getText()).isEqualTo("testing");
            assertThat(cached.getText()).contains("mail.example.com", "86400", "2025-06-16T11:00:00Z");
            assertThat(browser.findElement(By.cssSelector("#policy-cache tr[data-domain='xxxxxxxx.xx']")).getText())
                    .contains("no policy cached", "policy-fetch-error \u00d71: HTTP status 404");

            Path screenshot = Path.of("target", "dashboard.png");
            Files.createDirectories(screenshot.getParent());
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(screenshot)).isPositive();
        } finally {
            browser.quit();
        }
    }

    @Test
    void requestWithoutTheTokenIsRefusedAndBearerTokenIsAccepted() throws Exception {
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(url(""))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(url("?token=guess"))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(URI.create(url("")))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(bearer.body()).contains("Microsoft Corporation");
    }

    @Test
    void closedStoreGivesServiceUnavailable() throws Exception {
        store.close();

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("")))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
    }
}
