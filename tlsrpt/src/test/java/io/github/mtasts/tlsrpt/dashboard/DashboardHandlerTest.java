package io.github.mtasts.tlsrpt.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.daemon.HttpEndpoint;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.config.DashboardConfig;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The handler behind a real HTTP listener over real SQLite stores: access rules and what each store failure does. */
@Timeout(60)
class DashboardHandlerTest {

    private static final String TOKEN = "s3cret-token";
    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    private static final LocalDate TODAY = LocalDate.ofInstant(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private SqliteInboundReportStore inbound;
    private SqliteAggregateStore aggregates;
    private SqlitePolicyStore policies;
    private HttpEndpoint endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("cache.db");
        inbound = SqliteInboundReportStore.open(file);
        aggregates = SqliteAggregateStore.open(file);
        policies = SqlitePolicyStore.open(file);
        AggregateBatch batch = new AggregateBatch();
        batch.add(new CountedSession(TODAY, "example.net", PolicyGroup.NO_POLICY, null));
        batch.add(new CountedSession(TODAY, "example.net", PolicyGroup.NO_POLICY, new FailureKey(
                ResultType.CERTIFICATE_EXPIRED, "192.0.2.1", "mx.example.net", "198.51.100.7", "expired")));
        aggregates.commit(batch);
        DashboardConfig access = new DashboardConfig(true, Optional.of(TOKEN),
                Optional.of(new DashboardConfig.BasicAuth("admin", "pa:ss")));
        endpoint = HttpEndpoint.start("127.0.0.1", 0, access.access(), Map.of("/", new DashboardHandler(
                inbound, Outbound.Source.of(aggregates), policies, Clock.fixed(NOW, ZoneOffset.UTC))));
    }

    @AfterEach
    void stop() {
        endpoint.close();
        inbound.close();
        aggregates.close();
        policies.close();
    }

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + endpoint.address().getPort() + pathAndQuery));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void requestWithoutCredentialsIsRefusedWithBothChallenges() throws Exception {
        HttpResponse<String> response = get("/", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().allValues("WWW-Authenticate"))
                .containsExactlyInAnyOrder("Basic realm=\"mtasts\", charset=\"UTF-8\"", "Bearer realm=\"mtasts\"");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void wrongTokenOrPasswordIsRefused() throws Exception {
        assertThat(get("/?token=guess", null).statusCode()).isEqualTo(401);
        assertThat(get("/", "Bearer " + TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(get("/", basic("admin:pa:s")).statusCode()).isEqualTo(401);
        assertThat(get("/", basic("root:pa:ss")).statusCode()).isEqualTo(401);
        assertThat(get("/", "Basic !!!").statusCode()).isEqualTo(401);
    }

    @Test
    void bearerTokenQueryTokenAndBasicAuthAreEachAccepted() throws Exception {
        for (HttpResponse<String> response : List.of(get("/", "Bearer " + TOKEN), get("/?token=" + TOKEN, null),
                get("/", basic("admin:pa:ss")))) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(response.body()).contains("<tr data-key=\"example.net\"><td class=\"text domain\">"
                    + "<a href=\"/domain/example.net?days=30");
        }
    }

    @Test
    void pageShowsTheThirtyDaysEndingTodayUnlessAnotherRangeIsChosen() throws Exception {
        assertThat(get("/", "Bearer " + TOKEN).body()).contains("2025-05-17 to 2025-06-15 UTC");
        assertThat(get("/?days=7", "Bearer " + TOKEN).body()).contains("2025-06-09 to 2025-06-15 UTC");
        assertThat(get("/?days=5", "Bearer " + TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void theApiNeedsTheSameCredentialsAndServesJsonAndCsv() throws Exception {
        assertThat(get("/api/domains", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/domains.csv", null).statusCode()).isEqualTo(401);
        HttpResponse<String> json = get("/api/domains?days=1", "Bearer " + TOKEN);
        assertThat(json.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(json.body()).contains("\"domain\":\"example.net\",\"sessions\":2,\"successful\":1,\"failed\":1");
        HttpResponse<String> csv = get("/api/domains.csv?days=1&token=" + TOKEN, null);
        assertThat(csv.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
        assertThat(csv.body()).startsWith("domain,sessions,successful,failed,failure_rate,dominant_result_type,"
                + "daily_failures\r\nexample.net,2,1,1,0.5,certificate-expired,1\r\n");
        assertThat(get("/api/domain/example.net/receiving_mx_hostname?format=csv", "Bearer " + TOKEN).body())
                .isEqualTo("receiving_mx_hostname,failed\r\nmx.example.net,1\r\n");
        assertThat(get("/api/nothing", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        assertThat(get("/api/domain/example.net/reporters.csv", "Bearer " + TOKEN).body())
                .isEqualTo("organization,reports,sessions,successful,failed,failure_rate\r\n");
    }

    @Test
    void aQueryTokenIsKeptOnThePagesLinks() throws Exception {
        assertThat(get("/?token=" + TOKEN, null).body())
                .contains("href=\"/domain/example.net?days=30&amp;token=" + TOKEN + "\"");
    }

    @Test
    void anOrganisationNameHoldingASlashHasItsOwnPage() throws Exception {
        HttpResponse<String> page = get("/org/Example%2FReceiver%20Inc", "Bearer " + TOKEN);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Example/Receiver Inc");
    }

    @Test
    void otherPathsAreNotFoundAndOtherMethodsNotAllowed() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(get("/favicon.ico", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void unreadableAggregatesLeaveThePageUpWithTheReason() throws Exception {
        aggregates.close();

        HttpResponse<String> response = get("/", "Bearer " + TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("<p class=\"unavailable\">Outbound figures unavailable: aggregate database");
    }

    @Test
    void closedReportStoreGivesServiceUnavailable() throws Exception {
        inbound.close();

        HttpResponse<String> response = get("/", "Bearer " + TOKEN);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("report or policy store unavailable\n");
    }

    @Test
    void withoutCredentialsConfiguredEveryoneOnTheListenerMayRead() throws Exception {
        try (HttpEndpoint open = HttpEndpoint.start("127.0.0.1", 0, DashboardConfig.DEFAULT.access(),
                Map.of("/", new DashboardHandler(inbound, Outbound.Source.unavailable("not here"), policies,
                        Clock.fixed(NOW, ZoneOffset.UTC))))) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + open.address().getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("Outbound figures unavailable: not here");
        }
    }
}
