package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureFigures;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
import io.github.mtasts.tlsrpt.report.AppliedPolicy;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.PolicyResult;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
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
    /** Where the screenshots the README shows are written; copied to docs/ by hand after a look. */
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

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

    private static FailureKey failure(ResultType type, String mx, String reason) {
        return new FailureKey(type, "192.0.2.1", mx, "198.51.100.7", reason);
    }

    private static void add(AggregateBatch batch, LocalDate day, String domain, int successes, int failures,
                            FailureKey failure) {
        for (int i = 0; i < successes; i++) {
            batch.add(new CountedSession(day, domain, PolicyGroup.sts("h1"), null));
        }
        for (int i = 0; i < failures; i++) {
            batch.add(new CountedSession(day, domain, PolicyGroup.sts("h1"), failure));
        }
    }

    /**
     * Several domains, days and failure types: in the last 7 days alpha fails most, over 30 days beta (whose
     * failures are 10 days old) does; a reason code is a would-be spreadsheet formula.
     */
    @BeforeEach
    void startDaemon() throws Exception {
        database = dir.resolve("cache.db");
        try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(database)) {
            AggregateBatch batch = new AggregateBatch();
            for (int d = 0; d < 12; d++) {
                add(batch, TODAY.minusDays(d), "alpha.example", 20, 0, null);
                add(batch, TODAY.minusDays(d), "gamma.example", 7, 0, null);
            }
            add(batch, TODAY, "alpha.example", 0, 4, failure(ResultType.CERTIFICATE_EXPIRED, "mx1.alpha.example",
                    "certificate has expired"));
            add(batch, YESTERDAY, "alpha.example", 0, 2, failure(ResultType.CERTIFICATE_HOST_MISMATCH,
                    "mx2.alpha.example", "=HYPERLINK(\"http://evil.example\")"));
            add(batch, TODAY.minusDays(3), "alpha.example", 0, 1, failure(ResultType.CERTIFICATE_EXPIRED,
                    "mx1.alpha.example", "certificate has expired"));
            add(batch, TODAY.minusDays(10), "beta.example", 3, 30, failure(ResultType.STARTTLS_NOT_SUPPORTED,
                    "mx.beta.example", ""));
            add(batch, TODAY.minusDays(2), "delta.example", 1, 1, failure(ResultType.VALIDATION_FAILURE,
                    "mx.delta.example", "unable to get local issuer certificate"));
            // outside every window
            add(batch, TODAY.minusDays(100), "old.example", 0, 99, failure(ResultType.CERTIFICATE_EXPIRED,
                    "mx.old.example", ""));
            aggregates.commit(batch);
        }
        try (SqliteInboundReportStore inbound = SqliteInboundReportStore.open(database)) {
            ReportIntake intake = new ReportIntake(new ReportExtractor(1 << 20), inbound,
                    new InboundMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
            String[][] reports = {{"Example Receiver", "r-1", "9", "1"}, {"Other <Receiver>", "r-2", "5", "3"}};
            for (String[] r : reports) {
                String report = """
                        {"organization-name":"%s","date-range":{"start-datetime":"%sT00:00:00Z",
                         "end-datetime":"%sT23:59:59Z"},"contact-info":"tlsrpt@receiver.example","report-id":"%s",
                         "policies":[{"policy":{"policy-type":"sts","policy-domain":"ours.example"},
                         "summary":{"total-successful-session-count":%s,"total-failure-session-count":%s},
                         "failure-details":[{"result-type":"certificate-expired","failed-session-count":%s}]}]}"""
                        .formatted(r[0], YESTERDAY, YESTERDAY, r[1], r[2], r[3], r[3]);
                assertThat(intake.acceptFile("report.json", report.getBytes(StandardCharsets.UTF_8)).result())
                        .isEqualTo(ReportIntake.Result.STORED);
            }
        }
        Instant now = Instant.now();
        try (SqliteDeliveryQueue queue = SqliteDeliveryQueue.open(database)) {
            TlsRptReport report = new ReportBuilder(new ReporterSettings("Example", "tlsrpt@example.net",
                    "example.net")).build(new DailyReport(YESTERDAY, "alpha.example", List.of(new PolicyResult(
                    AppliedPolicy.noPolicyFound(), 20, 0, List.of()))));
            queue.addReport(report, now);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:tlsrpt@alpha.example", now)), null);
        }
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database)) {
            StsPolicy testing = StsPolicy.parse(
                    "version: STSv1\r\nmode: testing\r\nmx: mx1.alpha.example\r\nmax_age: 86400\r\n");
            policies.save(new CachedPolicy("alpha.example", "20240101", testing,
                    now.minusSeconds(3600), now.plusSeconds(86400 - 3600), now.minusSeconds(60)));
            policies.policyServed("alpha.example", testing, now.minus(Duration.ofDays(20)), now);
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
        for (String path : List.of("/", "/domain/alpha.example", "/org/x", "/api/domains", "/api/summary.csv")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(get(path + "?token=" + TOKEN).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(get("/").statusCode()).isEqualTo(401);
        assertThat(get("/?token=guess").statusCode()).isEqualTo(401);
        assertThat(get("/?token=" + TOKEN).statusCode()).isEqualTo(200);
    }

    private static ChromeDriver browser(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height, "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return browser;
    }

    private String url(String path) {
        return "http://127.0.0.1:" + httpPort + path + (path.contains("?") ? "&" : "?") + "token=" + TOKEN;
    }

    private static long number(WebElement row, String column) {
        return Long.parseLong(row.findElement(By.className(column)).getText());
    }

    @Test
    void overviewInChromiumRanksTheDomainsAsTheStoreDoesAndTheRangeChangesIt() throws Exception {
        ChromeDriver browser = browser(1280, 1000);
        try {
            for (int days : List.of(7, 30)) {
                FailureFigures.Ranking ranking;
                try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(database)) {
                    ranking = aggregates.figures().ranking(TODAY.minusDays(days - 1), TODAY, 50);
                }
                if (days == 7) {
                    browser.get(url("/"));
                    browser.findElement(By.cssSelector("nav.range a[data-days='7']")).click();
                }  else {
                    browser.findElement(By.cssSelector("nav.range a[data-days='30']")).click();
                }
                assertThat(browser.getTitle()).isEqualTo("mtasts: TLS failures");
                assertThat(browser.findElement(By.cssSelector("nav.range a.current")).getAttribute("data-days"))
                        .isEqualTo(Integer.toString(days));
                List<WebElement> rows = browser.findElements(By.cssSelector("#outbound table.domains tr[data-key]"));
                assertThat(rows).extracting(r -> r.getAttribute("data-key")).containsExactlyElementsOf(
                        ranking.domains().stream().map(FailureFigures.DomainTotal::domain).toList());
                for (int i = 0; i < rows.size(); i++) {
                    FailureFigures.DomainTotal expected = ranking.domains().get(i);
                    assertThat(number(rows.get(i), "failed")).isEqualTo(expected.failures());
                    assertThat(number(rows.get(i), "successful")).isEqualTo(expected.successes());
                    assertThat(rows.get(i).findElements(By.cssSelector("td.daily_failures svg.sparkline"))).hasSize(1);
                }
                // the page's figures are the API's
                JsonNode json = new ObjectMapper().readTree(get("/api/domains?days=" + days + "&token=" + TOKEN).body());
                assertThat(json.get("rows")).hasSize(rows.size());
                for (int i = 0; i < rows.size(); i++) {
                    assertThat(json.get("rows").get(i).get("domain").asText())
                            .isEqualTo(rows.get(i).getAttribute("data-key"));
                    assertThat(json.get("rows").get(i).get("failed").asLong()).isEqualTo(number(rows.get(i), "failed"));
                    assertThat(json.get("rows").get(i).get("dominant_result_type").asText())
                            .isEqualTo(rows.get(i).findElement(By.className("dominant_result_type")).getText());
                }
                String[] csv = get("/api/domains.csv?days=" + days + "&token=" + TOKEN).body().split("\r\n");
                assertThat(csv).hasSize(rows.size() + 1);
                for (int i = 0; i < rows.size(); i++) {
                    String[] cells = csv[i + 1].split(",");
                    assertThat(cells[0]).isEqualTo(rows.get(i).getAttribute("data-key"));
                    assertThat(Long.parseLong(cells[3])).isEqualTo(number(rows.get(i), "failed"));
                }
                if (days == 7) {
                    Files.createDirectories(SCREENSHOTS);
                    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(),
                            SCREENSHOTS.resolve("dashboard-overview-1280.png"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            assertThat(browser.findElements(By.cssSelector("#outbound table.domains tr[data-key]")).get(0)
                    .getAttribute("data-key")).isEqualTo("beta.example");

            WebElement org = browser.findElement(By.cssSelector("#inbound table.organizations tr[data-key='Other <Receiver>']"));
            assertThat(number(org, "failed")).isEqualTo(3);
            assertThat(browser.findElement(By.cssSelector("#inbound table.organizations tr[data-key]"))
                    .getAttribute("data-key")).as("most failed first").isEqualTo("Other <Receiver>");
            assertThat(browser.findElement(By.cssSelector("table.policy-types tr[data-key='sts']")).getText())
                    .isEqualTo("sts 4");
            assertThat(browser.findElement(By.cssSelector("table.policy-modes tr[data-key='sts']")).getText())
                    .contains("testing 1");
            assertThat(browser.findElement(By.cssSelector("table.discovery-errors tr[data-key='broken.example']"))
                    .getText()).contains("policy-fetch-error", "HTTP status 404");
        } finally {
            browser.quit();
        }
    }

    @Test
    void drillDownLeadsToTheDomainAndOrganisationPagesWithTheStoresFigures() throws Exception {
        ChromeDriver browser = browser(1280, 1000);
        try {
            browser.get(url("/?days=7"));
            browser.findElement(By.cssSelector("#outbound tr[data-key='alpha.example'] td.domain a")).click();
            assertThat(browser.findElement(By.cssSelector("h1")).getAttribute("data-domain")).isEqualTo("alpha.example");
            assertThat(browser.findElement(By.cssSelector("nav.range a.current")).getAttribute("data-days")).isEqualTo("7");
            List<FailureFigures.DailyCount> daily;
            FailureFigures.Breakdown byMx;
            try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(database)) {
                daily = aggregates.figures().daily(List.of("alpha.example"), TODAY.minusDays(6), TODAY);
                byMx = aggregates.figures().failures("alpha.example", FailureFigures.Dimension.RECEIVING_MX,
                        TODAY.minusDays(6), TODAY, 50);
            }
            assertThat(browser.findElement(By.cssSelector("p.trend .first-failure")).getText())
                    .isEqualTo(TODAY.minusDays(3).toString());
            assertThat(browser.findElement(By.cssSelector("p.trend .last-failure")).getText())
                    .isEqualTo(TODAY.toString());
            List<WebElement> days = browser.findElements(By.cssSelector("#days table.days tr[data-key]"));
            assertThat(days).hasSize(7);
            for (FailureFigures.DailyCount d : daily) {
                WebElement row = browser.findElement(By.cssSelector("#days table.days tr[data-key='" + d.day() + "']"));
                assertThat(Long.parseLong(row.findElement(By.className("failed")).getAttribute("data-value")))
                        .isEqualTo(d.failures());
                assertThat(row.findElement(By.className("policy_mode")).getAttribute("textContent")).isEqualTo("testing");
            }
            List<WebElement> mx = browser.findElements(By.cssSelector("table.receiving_mx_hostname tr[data-key]"));
            assertThat(mx).extracting(r -> r.getAttribute("data-key") + " " + number(r, "failed"))
                    .containsExactlyElementsOf(byMx.values().stream().map(v -> v.value() + " " + v.sessions()).toList());
            WebElement sent = browser.findElement(By.cssSelector("#reports table.reports tr[data-key='" + YESTERDAY
                    + "']"));
            assertThat(sent.findElement(By.className("destination")).getText()).isEqualTo("mailto:tlsrpt@alpha.example");
            assertThat(sent.findElement(By.className("state")).getText()).isEqualTo("pending");
            assertThat(browser.findElement(By.cssSelector("table.policies tr[data-key]")).getText())
                    .contains("testing", "mx1.alpha.example");
            // the reason code that looks like a formula is text on the page and defused in the CSV
            assertThat(browser.findElement(By.cssSelector("table.failure_reason_code")).getText())
                    .contains("=HYPERLINK(\"http://evil.example\")");
            assertThat(get("/api/domain/alpha.example/failure_reason_code.csv?days=7&token=" + TOKEN).body())
                    .contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\"");
            Files.createDirectories(SCREENSHOTS);
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(),
                    SCREENSHOTS.resolve("dashboard-domain-1280.png"), StandardCopyOption.REPLACE_EXISTING);

            browser.findElement(By.cssSelector("a.back")).click();
            browser.findElement(By.cssSelector("nav.range a[data-days='30']")).click();
            browser.findElement(By.cssSelector("#inbound tr[data-key='Other <Receiver>'] td.organization a")).click();
            assertThat(browser.findElement(By.cssSelector("h1")).getAttribute("data-organization"))
                    .isEqualTo("Other <Receiver>");
            WebElement seen = browser.findElement(By.cssSelector("#org-domains tr[data-key='ours.example']"));
            assertThat(number(seen, "successful")).isEqualTo(5);
            assertThat(number(seen, "failed")).isEqualTo(3);
        } finally {
            browser.quit();
        }
    }

    @Test
    void narrowScreenShowsTheSamePagesWithoutWideningThem() throws Exception {
        ChromeDriver browser = browser(390, 1400);
        try {
            for (String[] page : new String[][] {{"/?days=30", "dashboard-overview-390.png"},
                    {"/domain/alpha.example?days=30", "dashboard-domain-390.png"}}) {
                browser.get(url(page[0]));
                Number scrollWidth = (Number) browser.executeScript("return document.documentElement.scrollWidth;");
                Number clientWidth = (Number) browser.executeScript("return document.documentElement.clientWidth;");
                assertThat(scrollWidth.intValue()).as(page[0]).isLessThanOrEqualTo(clientWidth.intValue());
                Files.createDirectories(SCREENSHOTS);
                Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(page[1]),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            browser.quit();
        }
    }
}
