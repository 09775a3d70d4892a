package io.github.mtasts.tlsrpt.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.inbound.InboundFailure;
import io.github.mtasts.tlsrpt.inbound.InboundPolicy;
import io.github.mtasts.tlsrpt.inbound.InboundReport;
import io.github.mtasts.tlsrpt.inbound.InboundSummary;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardPageTest {

    private static final LocalDate FIRST = LocalDate.parse("2024-05-01");
    private static final LocalDate LAST = LocalDate.parse("2024-05-03");

    private static InboundReport report(String org, String id, String day, String domain, long ok, long failed,
                                        List<InboundFailure> failures) {
        return new InboundReport(org, id, Instant.parse(day + "T00:00:00Z"), Instant.parse(day + "T23:59:59Z"),
                Optional.empty(), List.of(new InboundPolicy("sts", List.of(), Optional.ofNullable(domain), List.of(),
                ok, failed, failures)), List.of());
    }

    @TempDir
    Path dir;

    /** What the store makes of {@code reports} for the window: the page is always fed by a store's summary. */
    private InboundSummary summary(InboundReport... reports) {
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("inbound-" + System.nanoTime()))) {
            for (InboundReport report : reports) {
                store.save(report, "{}".getBytes(StandardCharsets.UTF_8), Instant.EPOCH);
            }
            return store.summary(FIRST, LAST, InboundSummary.Limits.DEFAULT);
        }
    }

    private String inboundOnly(InboundReport... reports) {
        return DashboardPage.render(new DashboardData(FIRST, LAST, new Outbound.Figures(List.of()), summary(reports),
                List.of(), List.of()));
    }

    private static String outboundOnly(DomainDay... days) {
        return DashboardPage.render(new DashboardData(FIRST, LAST, new Outbound.Figures(List.of(days)),
                InboundSummary.EMPTY, List.of(), List.of()));
    }

    private static DomainDay.FailureCount failure(ResultType type, String mx, long sessions) {
        return new DomainDay.FailureCount(new FailureKey(type, "192.0.2.1", mx, "198.51.100.7", "reason"), sessions);
    }

    @Test
    void outboundCountsOfEveryPolicyAreSummedPerDomainAndDay() {
        String html = outboundOnly(
                new DomainDay(FIRST, "example.net", PolicyGroup.sts("h1"), 6, 1,
                        List.of(failure(ResultType.CERTIFICATE_EXPIRED, "mx1.example.net", 1))),
                new DomainDay(FIRST, "example.net", PolicyGroup.NO_POLICY, 1, 0, List.of()));

        assertThat(html).contains("<tr data-day=\"2024-05-01\"><td class=\"text\">2024-05-01</td>"
                + "<td class=\"successful\">7</td><td class=\"failed\">1</td><td>12.5%</td></tr>");
    }

    @Test
    void outboundFailuresAreListedByResultTypeAndReceivingMx() {
        String html = outboundOnly(
                new DomainDay(FIRST, "example.net", PolicyGroup.sts("h1"), 0, 3, List.of(
                        failure(ResultType.CERTIFICATE_EXPIRED, "mx1.example.net", 2),
                        failure(ResultType.STARTTLS_NOT_SUPPORTED, "mx2.example.net", 1))),
                new DomainDay(FIRST, "example.net", PolicyGroup.sts("h2"), 0, 4,
                        List.of(failure(ResultType.CERTIFICATE_EXPIRED, "mx1.example.net", 4))));

        assertThat(html).contains("<td class=\"text result-type\">certificate-expired</td>"
                        + "<td class=\"text mx\">mx1.example.net</td><td class=\"text\">198.51.100.7</td>"
                        + "<td class=\"sessions\">6</td>",
                "<td class=\"text result-type\">starttls-not-supported</td>"
                        + "<td class=\"text mx\">mx2.example.net</td><td class=\"text\">198.51.100.7</td>"
                        + "<td class=\"sessions\">1</td>");
    }

    @Test
    void unavailableOutboundFiguresShowTheReason() {
        String html = DashboardPage.render(new DashboardData(FIRST, LAST,
                new Outbound.Unavailable("cache type redis keeps no aggregates"), InboundSummary.EMPTY, List.of(),
                List.of()));

        assertThat(html).contains("<p class=\"unavailable\">Outbound figures unavailable: cache type redis keeps"
                + " no aggregates</p>");
    }

    @Test
    void inboundReportsOfOneOrganisationForTheSameDomainAndDayAreSummed() {
        String html = inboundOnly(
                report("Example Org", "a", "2024-05-01", "example.com", 10, 2, List.of()),
                report("Example Org", "b", "2024-05-01", "example.com", 5, 3, List.of()));

        assertThat(html).contains("<tr data-day=\"2024-05-01\" data-organization=\"Example Org\">"
                + "<td class=\"text\">2024-05-01</td><td class=\"text\">Example Org</td>"
                + "<td class=\"successful\">15</td><td class=\"failed\">5</td><td>25.0%</td></tr>");
        assertThat(html).contains("<p id=\"summary\">2 reports from 1 organisation</p>");
    }

    @Test
    void inboundReportsStartingOutsideTheWindowAreLeftOut() {
        String html = inboundOnly(
                report("Old Org", "a", "2024-04-30", "example.com", 1, 0, List.of()),
                report("New Org", "b", "2024-05-03", "example.com", 1, 0, List.of()));

        assertThat(html).contains("data-organization=\"New Org\"", "<p id=\"summary\">1 report from 1 organisation</p>")
                .doesNotContain("Old Org");
    }

    @Test
    void senderSuppliedTextIsEscaped() {
        InboundFailure failure = new InboundFailure("validation-failure", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 1, Optional.empty(), Optional.of("<script>alert(1)</script>"));

        String html = inboundOnly(report("Evil & Co <x>", "a", "2024-05-01", "example.com", 0, 1, List.of(failure)));

        assertThat(html).doesNotContain("<script>").doesNotContain("Evil & Co <x>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;", "Evil &amp; Co &lt;x&gt;");
    }

    @Test
    void reportWithoutPolicyDomainIsShownUnderItsOwnHeading() {
        String html = inboundOnly(report("Example Org", "a", "2024-05-01", null, 1, 0, List.of()));

        assertThat(html).contains("<h3>" + DashboardPage.escape(DashboardPage.NO_DOMAIN) + "</h3>");
    }

    @Test
    void overviewChartLabelsEveryDayAndDrawsOutboundAgainstInbound() {
        String html = DashboardPage.render(new DashboardData(FIRST, LAST, new Outbound.Figures(List.of(
                new DomainDay(LAST, "example.net", PolicyGroup.NO_POLICY, 3, 1, List.of()))),
                summary(report("Example Org", "a", "2024-05-02", "example.com", 1, 1, List.of())), List.of(), List.of()));
        String overview = html.substring(html.indexOf("<section id=\"overview\">"), html.indexOf("<section id=\"outbound\">"));

        assertThat(Pattern.compile("<text class=\"day-label\" data-day=\"([0-9-]+)\"").matcher(overview).results()
                .map(m -> m.group(1)).toList()).containsExactly("2024-05-01", "2024-05-02", "2024-05-03");
        assertThat(overview).contains(">05-01</text>", ">05-03</text>",
                "<title>2024-05-03 outbound: 25.0% failed (1 of 4)</title>",
                "<title>2024-05-02 inbound: 50.0% failed (1 of 2)</title>",
                "<span class=\"swatch outbound\"></span>outbound", "<span class=\"swatch inbound\"></span>inbound");
        assertThat(overview).doesNotContain("<rect class=\"outbound\" data-day=\"2024-05-01\"",
                "<rect class=\"inbound\" data-day=\"2024-05-01\"");
    }

    @Test
    void policyCacheShowsTheLatestDaysDiscoveryErrorAsLastError() throws Exception {
        CachedPolicy cached = new CachedPolicy("example.com", "20240101", StsPolicy.parse(
                "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n"),
                Instant.parse("2024-05-03T10:00:00Z"), Instant.parse("2024-05-04T10:00:00Z"),
                Instant.parse("2024-05-03T11:00:00Z"));

        String html = DashboardPage.render(new DashboardData(FIRST, LAST, new Outbound.Figures(List.of()),
                InboundSummary.EMPTY, List.of(cached), List.of(
                        new DiscoveryFailureCount("example.com", FIRST, FailureType.POLICY_INVALID, 2, "old", hour(FIRST, 1),
                                hour(FIRST, 2)),
                        new DiscoveryFailureCount("example.com", LAST, FailureType.POLICY_FETCH_ERROR, 1, "HTTP 503",
                                hour(LAST, 9), hour(LAST, 9)))));

        assertThat(html).contains("<td class=\"text mode\">enforce</td>", "2024-05-04T10:00:00Z",
                "<td class=\"text last-error\">2024-05-03 policy-fetch-error \u00d71: HTTP 503<br></td>")
                .doesNotContain("\u00d72: old");
    }

    @Test
    void pageOfAStoreWithHugeReportsStaysBoundedAndSaysWhatItLeavesOut() {
        // stored before any intake limit: 20,000 policies for as many domains in one report, and a busy domain
        // reported by 200 organisations with 5 failure details each, every name 1,000 characters long
        List<InboundPolicy> many = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            many.add(new InboundPolicy("sts", List.of("version: STSv1"), Optional.of("d" + i + ".example"), List.of(),
                    1, 1, List.of(failure("certificate-expired", "mx.d" + i + ".example", 1))));
        }
        List<InboundReport> reports = new ArrayList<>();
        reports.add(new InboundReport("Huge Org", "huge", Instant.parse("2024-05-01T00:00:00Z"),
                Instant.parse("2024-05-01T23:59:59Z"), Optional.empty(), many, List.of()));
        String longName = "n".repeat(1000);
        for (int org = 0; org < 200; org++) {
            List<InboundFailure> failures = new ArrayList<>();
            for (int f = 0; f < 5; f++) {
                failures.add(failure("validation-failure", "mx" + f + "." + longName, 2));
            }
            reports.add(report("Org " + org + " " + longName, "r" + org, "2024-05-02", "busy.example", 10, 10, failures));
        }

        String html = inboundOnly(reports.toArray(InboundReport[]::new));

        assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(512 * 1024);
        assertThat(html).contains("<p id=\"summary\">201 reports from 201 organisations</p>",
                // busy.example has the most failures: first, and cut to 50 + 50 rows
                "<section class=\"domain\" data-domain=\"busy.example\">",
                "<td class=\"text\" colspan=\"5\">150 more rows (day and organisation) not shown</td>",
                "<td class=\"text\" colspan=\"8\">950 more failure rows (those with the fewest sessions) not shown</td>",
                "<p class=\"more\" id=\"more-domains\">19981 more policy domains not shown");
        assertThat(Pattern.compile("<section class=\"domain\"").matcher(html.substring(html.indexOf("id=\"inbound\"")))
                .results().count()).isEqualTo(InboundSummary.Limits.DEFAULT.domains());
        assertThat(html).doesNotContain(longName).contains("n".repeat(DashboardPage.MAX_CELL - 10) + "\u2026");
        // the overview keeps every session of the window, not only those of the domains shown
        assertThat(html).contains("<title>2024-05-01 inbound: 50.0% failed (20000 of 40000)</title>",
                "<title>2024-05-02 inbound: 50.0% failed (2000 of 4000)</title>");
    }

    private static InboundFailure failure(String resultType, String mx, long sessions) {
        return new InboundFailure(resultType, Optional.of("192.0.2.1"), Optional.of(mx), Optional.empty(),
                Optional.empty(), sessions, Optional.empty(), Optional.empty());
    }

    private static Instant hour(LocalDate day, int hour) {
        return day.atTime(hour, 0).toInstant(ZoneOffset.UTC);
    }
}
