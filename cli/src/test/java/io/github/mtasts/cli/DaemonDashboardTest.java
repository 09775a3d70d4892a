package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.dashboard.DashboardHandler;
import io.github.mtasts.tlsrpt.inbound.InboundMetrics;
import io.github.mtasts.tlsrpt.inbound.ReportExtractor;
import io.github.mtasts.tlsrpt.inbound.ReportIntake;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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

/**
 * Runs {@code mtasts daemon} as a process over a SQLite file seeded through the stores' own APIs (the aggregates
 * tlsrpt counts, a report the milter would store, a cached policy), then loads the dashboard from the daemon's
 * HTTP listener in a real headless Chromium (Debian's chromium and chromium-driver) and checks its figures against
 * the stores.
 */
@Timeout(180)
class DaemonDashboardTest {

    private static final String TOKEN = "s3cret-token";
    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private static final LocalDate YESTERDAY = TODAY.minusDays(1);

    @TempDir
    Path dir;

    private Path database;
    private Process daemon;
    private int httpPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static FailureKey failure(ResultType type, String mx) {
        return new FailureKey(type, "192.0.2.1", mx, "198.51.100.7", type.rfcName() + " at " + mx);
    }

    @BeforeEach
    void startDaemon() throws Exception {
        database = dir.resolve("cache.db");
        try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(database)) {
            AggregateBatch batch = new AggregateBatch();
            for (int i = 0; i < 3; i++) {
                batch.add(new CountedSession(TODAY, "example.net", PolicyGroup.sts("h1"), null));
            }
            batch.add(new CountedSession(TODAY, "example.net", PolicyGroup.sts("h1"),
                    failure(ResultType.CERTIFICATE_EXPIRED, "mx1.example.net")));
            batch.add(new CountedSession(TODAY, "example.net", PolicyGroup.NO_POLICY,
                    failure(ResultType.CERTIFICATE_EXPIRED, "mx1.example.net")));
            batch.add(new CountedSession(YESTERDAY, "example.org", PolicyGroup.NO_POLICY, null));
            batch.add(new CountedSession(YESTERDAY, "example.org", PolicyGroup.NO_POLICY,
                    failure(ResultType.STARTTLS_NOT_SUPPORTED, "mx.example.org")));
            // outside the window of the page
            batch.add(new CountedSession(TODAY.minusDays(DashboardHandler.DAYS), "old.example", PolicyGroup.NO_POLICY,
                    null));
            aggregates.commit(batch);
        }
        try (SqliteInboundReportStore inbound = SqliteInboundReportStore.open(database)) {
            String report = """
                    {"organization-name":"Example Receiver","date-range":{"start-datetime":"%sT00:00:00Z",
                     "end-datetime":"%sT23:59:59Z"},"contact-info":"tlsrpt@receiver.example","report-id":"r-1",
                     "policies":[{"policy":{"policy-type":"sts","policy-domain":"ours.example"},
                     "summary":{"total-successful-session-count":9,"total-failure-session-count":1},
                     "failure-details":[{"result-type":"certificate-expired","failed-session-count":1}]}]}"""
                    .formatted(YESTERDAY, YESTERDAY);
            ReportIntake intake = new ReportIntake(new ReportExtractor(1 << 20), inbound,
                    new InboundMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
            assertThat(intake.acceptFile("report.json", report.getBytes(StandardCharsets.UTF_8)).result())
                    .isEqualTo(ReportIntake.Result.STORED);
        }
        Instant now = Instant.now();
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database)) {
            policies.save(new CachedPolicy("example.net", "20240101", StsPolicy.parse(
                    "version: STSv1\r\nmode: testing\r\nmx: mx1.example.net\r\nmax_age: 86400\r\n"),
                    now.minusSeconds(3600), now.plusSeconds(86400 - 3600), now.minusSeconds(60)));
            policies.discoveryFailure("broken.example", now, DiscoveryResult.FailureType.POLICY_FETCH_ERROR,
                    "HTTP status 404");
        }

        httpPort = freePort();
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, """
                host: 127.0.0.1
                port: %d
                cache: {type: sqlite, options: {filename: %s}}
                http: {host: 127.0.0.1, port: %d}
                metrics: {enabled: true}
                dashboard: {enabled: true, token: %s}
                """.formatted(freePort(), database, httpPort, TOKEN));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        daemon = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "daemon", "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.out").toFile())
                .start();
        while (!listening()) {
            assertThat(daemon.isAlive()).as("daemon running; output: %s",
                    Files.exists(dir.resolve("daemon.out")) ? Files.readString(dir.resolve("daemon.out")) : "").isTrue();
            Thread.sleep(100);
        }
    }

    private boolean listening() throws InterruptedException {
        try {
            get("/metrics");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        daemon.destroy();
        assertThat(daemon.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void oneListenerServesMetricsAndTheDashboardBothOnlyWithTheToken() throws Exception {
        assertThat(get("/metrics").statusCode()).isEqualTo(401);
        assertThat(get("/metrics?token=" + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/metrics?token=" + TOKEN).body()).contains("mtasts_socketmap_connections");
        assertThat(get("/").statusCode()).isEqualTo(401);
        assertThat(get("/?token=guess").statusCode()).isEqualTo(401);
        assertThat(get("/?token=" + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void pageInChromiumShowsTheOutboundFiguresOfTheStore() throws Exception {
        List<DomainDay> stored;
        try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(database)) {
            stored = aggregates.days(TODAY.minusDays(DashboardHandler.DAYS - 1), TODAY);
        }
        // what the page must show per domain and day: every policy's counts summed
        Map<String, long[]> expected = new TreeMap<>();
        Map<String, Long> expectedFailures = new TreeMap<>();
        for (DomainDay d : stored) {
            long[] counts = expected.computeIfAbsent(d.policyDomain() + " " + d.day(), k -> new long[2]);
            counts[0] += d.successes();
            counts[1] += d.failures();
            for (DomainDay.FailureCount f : d.failureDetails()) {
                expectedFailures.merge(d.policyDomain() + " " + d.day() + " " + f.detail().resultType().rfcName()
                        + " " + f.detail().receivingMxHostname(), f.sessions(), Long::sum);
            }
        }
        assertThat(expected).containsOnlyKeys("example.net " + TODAY, "example.org " + YESTERDAY);

        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1600");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            browser.get("http://127.0.0.1:" + httpPort + "/?token=" + TOKEN);

            assertThat(browser.getTitle()).isEqualTo("mtasts: TLS dashboard");
            List<WebElement> rows = browser.findElements(By.cssSelector("#outbound table.sessions tr[data-day]"));
            assertThat(rows).hasSize(expected.size());
            for (WebElement row : rows) {
                String domain = row.findElement(By.xpath("ancestor::section[@data-domain]")).getAttribute("data-domain");
                long[] counts = expected.get(domain + " " + row.getAttribute("data-day"));
                assertThat(counts).as("row %s %s", domain, row.getAttribute("data-day")).isNotNull();
                assertThat(row.findElement(By.className("successful")).getText()).isEqualTo(Long.toString(counts[0]));
                assertThat(row.findElement(By.className("failed")).getText()).isEqualTo(Long.toString(counts[1]));
            }
            List<WebElement> failureRows = browser.findElements(By.cssSelector("#outbound table.failures tr[data-day]"));
            assertThat(failureRows).hasSize(expectedFailures.size());
            for (WebElement row : failureRows) {
                String domain = row.findElement(By.xpath("ancestor::section[@data-domain]")).getAttribute("data-domain");
                String key = domain + " " + row.getAttribute("data-day") + " "
                        + row.findElement(By.className("result-type")).getText() + " "
                        + row.findElement(By.className("mx")).getText();
                assertThat(row.findElement(By.className("sessions")).getText()).as(key)
                        .isEqualTo(Long.toString(expectedFailures.get(key)));
            }

            List<WebElement> dayLabels = browser.findElements(By.cssSelector("#overview svg text.day-label"));
            assertThat(dayLabels).hasSize(DashboardHandler.DAYS);
            assertThat(dayLabels.get(dayLabels.size() - 1).getAttribute("data-day")).isEqualTo(TODAY.toString());
            assertThat(browser.findElements(By.cssSelector("#overview svg rect.outbound"))).hasSize(2);
            assertThat(browser.findElements(By.cssSelector("#overview svg rect.inbound"))).hasSize(1);

            WebElement inbound = browser.findElement(By.cssSelector(
                    "#inbound section[data-domain='ours.example'] tr[data-organization='Example Receiver']"));
            assertThat(inbound.findElement(By.className("successful")).getText()).isEqualTo("9");
            assertThat(inbound.findElement(By.className("failed")).getText()).isEqualTo("1");

            WebElement cached = browser.findElement(By.cssSelector("#policy-cache tr[data-domain='example.net']"));
            assertThat(cached.findElement(By.className("mode")).getText()).isEqualTo("testing");
            assertThat(browser.findElement(By.cssSelector("#policy-cache tr[data-domain='broken.example']")).getText())
                    .contains("no policy cached", "policy-fetch-error \u00d71: HTTP status 404");

            Path screenshot = Path.of("target", "dashboard.png");
            Files.createDirectories(screenshot.getParent());
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(screenshot)).isPositive();
        } finally {
            browser.quit();
        }
    }
}
