package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.tlsrpt.inbound.InboundFailure;
import io.github.mtasts.tlsrpt.inbound.InboundPolicy;
import io.github.mtasts.tlsrpt.inbound.InboundReport;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
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
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard of a real {@code mtasts daemon} process with a 96 MiB heap over a store holding what senders sent
 * before any intake limit: one report of 20,000 policies (the one that made {@code GET /} build 108 MB in 1.4 GB of
 * heap) and 300 organisations' reports of one domain. The page must come, bounded in size, naming what it leaves out.
 */
@Timeout(300)
class DaemonDashboardBoundsTest {

    private static final LocalDate YESTERDAY = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    /** Far above a realistic page (a few hundred kB at the limits) and far below what the store holds. */
    private static final int PAGE_BOUND = 1 << 20;

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static InboundFailure failure(String mx, long sessions) {
        return new InboundFailure("certificate-expired", Optional.of("192.0.2.1"), Optional.of(mx), Optional.empty(),
                Optional.of("198.51.100.7"), sessions, Optional.empty(), Optional.empty());
    }

    private void seed(Path database) {
        Instant start = YESTERDAY.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = start.plusSeconds(86399);
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(database)) {
            List<InboundPolicy> policies = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                policies.add(new InboundPolicy("sts", List.of("version: STSv1", "mode: enforce", "mx: mx.d" + i
                        + ".example", "max_age: 86400"), Optional.of("d" + i + ".example"), List.of("mx.d" + i + ".example"),
                        100, 2, List.of(failure("mx.d" + i + ".example", 1), failure("mx2.d" + i + ".example", 1))));
            }
            store.save(new InboundReport("Huge Sender", "huge-1", start, end, Optional.empty(), policies, List.of()),
                    "{}".getBytes(StandardCharsets.UTF_8), Instant.now());
            for (int org = 0; org < 300; org++) {
                List<InboundFailure> failures = new ArrayList<>();
                for (int f = 0; f < 10; f++) {
                    failures.add(failure("mx" + f + ".busy.example", 50));
                }
                store.save(new InboundReport("Organisation " + org, "r" + org, start, end, Optional.empty(),
                        List.of(new InboundPolicy("sts", List.of(), Optional.of("busy.example"), List.of(), 10, 500,
                                failures)), List.of()), "{}".getBytes(StandardCharsets.UTF_8), Instant.now());
            }
        }
    }

    @Test
    void pageOverAStoreOfHugeReportsStaysBoundedInASmallHeap() throws Exception {
        Path database = dir.resolve("cache.db");
        seed(database);
        int httpPort = freePort();
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, """
                host: 127.0.0.1
                port: %d
                cache: {type: sqlite, options: {filename: %s}}
                http: {host: 127.0.0.1, port: %d}
                metrics: {enabled: true}
                dashboard: {enabled: true}
                """.formatted(freePort(), database, httpPort));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process daemon = new ProcessBuilder(java, "-Xmx96m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "daemon", "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.out").toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            HttpResponse<byte[]> page = null;
            while (page == null) {
                assertThat(daemon.isAlive()).as("daemon running; output: %s", Files.readString(dir.resolve("daemon.out")))
                        .isTrue();
                try {
                    page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/")).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            String html = new String(page.body(), StandardCharsets.UTF_8);

            assertThat(page.statusCode()).as("output: %s", Files.readString(dir.resolve("daemon.out"))).isEqualTo(200);
            assertThat(page.body().length).isLessThan(PAGE_BOUND);
            assertThat(html).contains("<div class=\"card\" data-side=\"inbound\" data-figure=\"names\">"
                    + "<div class=\"label\">inbound organisations</div><div class=\"figure\">301</div>",
                    "<tr data-key=\"Huge Sender\">", "251 more not shown");
            for (String path : List.of("/org/Huge%20Sender", "/api/org/Huge%20Sender/failures",
                    "/api/org/Huge%20Sender/domains.csv", "/api/organizations")) {
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
                assertThat(response.body().length).as(path).isLessThan(PAGE_BOUND);
            }
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/org/Huge%20Sender")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("19950 more not shown", "39950 more not shown");
            assertThat(daemon.isAlive()).as("survives the page").isTrue();
        } finally {
            daemon.destroy();
            assertThat(daemon.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
        }
        assertThat(Files.readString(dir.resolve("daemon.out"))).doesNotContain("OutOfMemoryError");
    }
}
