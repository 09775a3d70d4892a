package io.github.mtasts.tlsrpt.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.inbound.InboundPolicy;
import io.github.mtasts.tlsrpt.inbound.InboundReport;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths to pages and tables over real SQLite stores, without an HTTP server. */
class DashboardRouterTest {

    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    private static final LocalDate TODAY = LocalDate.ofInstant(NOW, ZoneOffset.UTC);
    private static final String HOSTILE = "<img src=x onerror=alert(1)>/=cmd";
    private static final String FORMULA = "=cmd|' /C calc'!A0";

    @TempDir
    Path dir;

    private SqliteInboundReportStore inbound;
    private SqliteAggregateStore aggregates;
    private SqlitePolicyStore policies;
    private DashboardRouter router;

    @BeforeEach
    void open() {
        Path file = dir.resolve("cache.db");
        inbound = SqliteInboundReportStore.open(file);
        aggregates = SqliteAggregateStore.open(file);
        policies = SqlitePolicyStore.open(file);
        AggregateBatch batch = new AggregateBatch();
        batch.add(new CountedSession(TODAY, "example.net", PolicyGroup.NO_POLICY, new FailureKey(
                ResultType.CERTIFICATE_EXPIRED, "192.0.2.1", "mx.example.net", "198.51.100.7", FORMULA)));
        aggregates.commit(batch);
        Instant start = TODAY.atStartOfDay(ZoneOffset.UTC).toInstant();
        inbound.save(new InboundReport(HOSTILE, "r1", start, start.plusSeconds(86399), Optional.empty(),
                List.of(new InboundPolicy("sts", List.of(), Optional.of("ours.example"), List.of(), 3, 1, List.of())),
                List.of()), "{}".getBytes(StandardCharsets.UTF_8), NOW);
        router = new DashboardRouter(inbound, Outbound.Source.of(aggregates), policies, Optional.empty(),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        inbound.close();
        aggregates.close();
        policies.close();
    }

    @Test
    void unknownPathsAreNotFoundAndOtherRangesBadRequests() {
        assertThat(router.route("/nothing", Map.of(), "").status()).isEqualTo(404);
        assertThat(router.route("/domain/a/b", Map.of(), "").status()).isEqualTo(404);
        assertThat(router.route("/api/domain/example.net/nothing", Map.of(), "").status()).isEqualTo(404);
        assertThat(router.route("/", Map.of("days", "365"), "").status()).isEqualTo(400);
        assertThat(router.route("/", Map.of("days", "x"), "").status()).isEqualTo(400);
    }

    @Test
    void aHostileOrganisationNameIsEscapedOnThePageAndItsLinkLeadsBackToIt() {
        String overview = router.route("/", Map.of(), "").body();
        assertThat(overview).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;/=cmd");
        String link = "/org/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%2F%3Dcmd";
        assertThat(overview).contains("href=\"" + link + "?days=30\"");

        DashboardRouter.Response page = router.route(link, Map.of(), "");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).doesNotContain("<img").contains("<tr data-key=\"ours.example\">");
        assertThat(router.route("/api" + link + "/domains.csv", Map.of(), "").body())
                .isEqualTo("domain,sessions,successful,failed,failure_rate\r\nours.example,4,3,1,0.25\r\n");
    }

    @Test
    void aReasonCodeThatLooksLikeAFormulaIsDefusedInCsvAndEscapedInHtml() {
        assertThat(router.route("/api/domain/example.net/failure_reason_code", Map.of("format", "csv"), "").body())
                .isEqualTo("failure_reason_code,failed\r\n\"'" + FORMULA + "\",1\r\n");
        assertThat(router.route("/domain/example.net", Map.of("days", "1"), "").body())
                .contains("=cmd|&#39; /C calc&#39;!A0");
    }

    @Test
    void theApiAnswersJsonWithTheWindow() {
        DashboardRouter.Response json = router.route("/api/summary", Map.of("days", "7"), "");
        assertThat(json.contentType()).isEqualTo("application/json");
        assertThat(json.body()).startsWith("{\"table\":\"summary\",\"days\":7,\"first\":\"2025-06-09\","
                + "\"last\":\"2025-06-15\",\"rows\":[{\"side\":\"outbound\",\"sessions\":1,");
    }
}
