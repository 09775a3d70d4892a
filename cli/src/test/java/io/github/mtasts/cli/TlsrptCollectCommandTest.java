package io.github.mtasts.cli;

import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mtasts tlsrpt collect} as a user runs it: a child JVM receiving on its socket until SIGTERM. */
class TlsrptCollectCommandTest {
    /** Postfix 3.11.6's datagrams of a good STS delivery and a self-signed failure (captured). */
    private static final String OK = "{\"dpv\": \"1\",\"d\": \"ok.test\",\"pr\": \"v=TLSRPTv1; rua=mailto:tlsrpt@ok.test\","
            + "\"policies\":[{\"policy-type\":2,\"policy-domain\": \"ok.test\",\"policy-string\":[\"version: STSv1\","
            + "\"mode: enforce\",\"mx: mx.ok.test\",\"max_age: 86400\"],\"mx-host\":[\"mx.ok.test\"],\"t\":0,\"f\":0}]}";
    private static final String NO_POLICY = "{\"dpv\": \"1\",\"d\": \"nopolicy.test\",\"pr\": \"v=TLSRPTv1; "
            + "rua=mailto:tlsrpt@nopolicy.test\",\"policies\":[{\"policy-type\":9,\"policy-domain\": \"nopolicy.test\","
            + "\"t\":0,\"f\":0}]}";

    @TempDir
    Path dir;

    @Test
    void countsDatagramsItReceivesAndCommitsTheLastBatchOnSigterm() throws Exception {
        Path database = dir.resolve("mtasts.db");
        Path socket = dir.resolve("tlsrpt.sock");
        int metricsPort = freePort();
        Path config = Files.writeString(dir.resolve("mtasts.yml"), """
                cache: {type: sqlite, options: {filename: %s}}
                tlsrpt:
                  socket: %s
                  socket_mode: 0620
                  batch_lines: 1000
                  batch_interval: 3600
                  metrics: {enabled: true, host: 127.0.0.1, port: %d}
                """.formatted(database, socket, metricsPort));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process collect = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "tlsrpt", "collect", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("collect.out").toFile()).start();
        String metrics;
        try {
            metrics = scrapeUntil(metricsPort, "mtasts_tlsrpt_datagrams_received_total 0.0");
            DatagramClient.send(socket); // nothing: waits until the socket, bound after the metrics listener, exists
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw--w----");
            DatagramClient.send(socket, OK, OK, NO_POLICY, "{\"dpv\": \"7\"}");
            metrics = scrapeUntil(metricsPort, "mtasts_tlsrpt_datagrams_received_total 3.0",
                    "mtasts_tlsrpt_datagrams_malformed_total{reason=\"unsupported-version\"} 1.0");
        } finally {
            collect.destroy();
            assertThat(collect.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
        }
        assertThat(metrics).contains("mtasts_tlsrpt_datagrams_received_total 3.0",
                "mtasts_tlsrpt_datagrams_malformed_total{reason=\"unsupported-version\"} 1.0");
        assertThat(socket).as("removed at stop").doesNotExist();
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            Map<String, Long> successes = store.day(LocalDate.now(ZoneOffset.UTC)).stream()
                    .collect(Collectors.toMap(DomainDay::policyDomain, DomainDay::successes));
            assertThat(successes).as("the batch interval is an hour: committed at SIGTERM; output: %s",
                    Files.readString(dir.resolve("collect.out"))).isEqualTo(Map.of("ok.test", 2L, "nopolicy.test", 1L));
        }
    }

    @Test
    void withoutTlsrptSocketItIsAConfigurationError() throws Exception {
        Path config = Files.writeString(dir.resolve("mtasts.yml"), """
                cache: {type: sqlite, options: {filename: %s}}
                """.formatted(dir.resolve("mtasts.db")));

        CommandRun run = CommandRun.of(new TlsrptCollectCommand(), "-c", config.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("mtasts tlsrpt collect: tlsrpt.socket is not set: give the path Postfix's"
                + " smtp_tlsrpt_socket_name names" + System.lineSeparator());
    }

    @Test
    void aSocketPathThatIsAFileIsAnErrorNamingIt() throws Exception {
        Path taken = Files.writeString(dir.resolve("taken"), "not a socket");
        Path config = Files.writeString(dir.resolve("mtasts.yml"), """
                cache: {type: sqlite, options: {filename: %s}}
                tlsrpt: {socket: %s}
                """.formatted(dir.resolve("mtasts.db"), taken));

        CommandRun run = CommandRun.of(new TlsrptCollectCommand(), "-c", config.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot receive TLSRPT datagrams on " + taken
                + ": a file that is not a socket exists there");
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    private static String scrapeUntil(int port, String... expected) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String body = "";
        while (System.nanoTime() < deadline) {
            try {
                body = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
                String scraped = body;
                if (List.of(expected).stream().allMatch(scraped::contains)) {
                    return body;
                }
            } catch (IOException notListeningYet) {
                body = notListeningYet.toString();
            }
            Thread.sleep(100);
        }
        return body;
    }
}
