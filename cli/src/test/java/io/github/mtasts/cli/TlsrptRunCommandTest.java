package io.github.mtasts.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
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
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mtasts tlsrpt run} as a child JVM, the way systemd runs it: the ended day in the store is built and
 * delivered on the first tick, the log is ingested, {@code /metrics} shows both, and SIGTERM stops the service.
 */
class TlsrptRunCommandTest {

    @TempDir
    Path dir;

    @Test
    void buildsAndDeliversTheEndedDayServesMetricsThenStopsOnSigterm() throws Exception {
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        Path database = dir.resolve("mtasts.db");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            AggregateBatch batch = new AggregateBatch();
            batch.add(new CountedSession(yesterday, "good.test", PolicyGroup.NO_POLICY, null));
            store.commit(batch);
        }
        Instant now = Instant.now();
        String peer = "mx.other.test[198.51.100.1]:25";
        Path log = Files.writeString(dir.resolve("mail.log"), now + " sender postfix/smtp[1001]: Verified TLS"
                + " connection established to " + peer + ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
                + now + " sender postfix/smtp[1001]: 4AB1: to=<user@other.test>, relay=" + peer + ", delay=0.02,"
                + " delays=0/0/0.01/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)\n"
                + "garbage without a timestamp\n");
        int smtpPort = freePort();
        int metricsPort = freePort();
        GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        try (DnsmasqServer dns = DnsmasqServer.builder()
                .txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@good.test").start()) {
            Path config = Files.writeString(dir.resolve("mtasts.yml"), """
                    cache:
                      type: sqlite
                      options:
                        filename: %s
                    dns:
                      nameservers: ["%s"]
                    tlsrpt:
                      log_timezone: UTC
                      sources: [%s]
                      socket: %s
                      metrics: {enabled: true, host: 127.0.0.1, port: %d}
                      report:
                        organization_name: Example Mail
                        contact_info: tlsrpt@mail.example.net
                        submitter_domain: mail.example.net
                        from: tlsrpt-noreply@mail.example.net
                        relay: {host: 127.0.0.1, port: %d}
                        delivery_window: 0
                        late_lines_delay: 0
                    """.formatted(database, dns.hostPort(), log, dir.resolve("tlsrpt.sock"), metricsPort, smtpPort));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process run = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "tlsrpt", "run", "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("run.out").toFile())
                    .start();
            String metrics;
            try {
                assertThat(mail.waitForIncomingEmail(TimeUnit.MINUTES.toMillis(2), 1))
                        .as("report mail; output: %s", dir.resolve("run.out")).isTrue();
                // Postfix 3.11.6's datagram of a session to a domain without a policy (captured)
                DatagramClient.send(dir.resolve("tlsrpt.sock"), "{\"dpv\": \"1\",\"d\": \"nopolicy.test\",\"pr\": "
                        + "\"v=TLSRPTv1; rua=mailto:tlsrpt@nopolicy.test\",\"policies\":[{\"policy-type\":9,"
                        + "\"policy-domain\": \"nopolicy.test\",\"t\":0,\"f\":0}]}");
                metrics = scrapeUntil(metricsPort, "mtasts_tlsrpt_deliveries{state=\"delivered\"} 1.0",
                        "mtasts_tlsrpt_ingest_lines_read_total 3.0", "mtasts_tlsrpt_datagrams_received_total 1.0",
                        "mtasts_tlsrpt_ingest_sessions_counted_total{result=\"successful\"} 2.0");
            } finally {
                run.destroy();
                assertThat(run.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
            }
            assertThat(metrics).contains(
                    "mtasts_tlsrpt_deliveries{state=\"delivered\"} 1.0",
                    "mtasts_tlsrpt_ingest_lines_read_total 3.0",
                    "mtasts_tlsrpt_deliveries{state=\"pending\"} 0.0",
                    "mtasts_tlsrpt_deliveries{state=\"sending\"} 0.0",
                    "mtasts_tlsrpt_deliveries{state=\"uncertain\"} 0.0",
                    "mtasts_tlsrpt_deliveries{state=\"failed\"} 0.0",
                    "mtasts_tlsrpt_delivery_attempts_total{kind=\"mailto\",outcome=\"delivered\"} 1.0",
                    "mtasts_tlsrpt_ingest_lines_unparsed_total 1.0",
                    "mtasts_tlsrpt_datagrams_received_total 1.0",
                    "mtasts_tlsrpt_ingest_sessions_counted_total{result=\"successful\"} 2.0",
                    "mtasts_tlsrpt_ingest_sessions_counted_total{result=\"failed\"} 0.0");
            assertThat(metrics).doesNotContain("outcome=\"retryable_failure\"", "kind=\"https\"");
            assertThat(mail.getReceivedMessages()[0].getAllRecipients()[0].toString()).isEqualTo("tlsrpt@good.test");
            assertThat(mail.getReceivedMessages()[0].getSubject())
                    .isEqualTo("Report Domain: good.test Submitter: mail.example.net Report-ID: <" + yesterday
                            + "_good.test@mail.example.net>");
            try (SqliteDeliveryQueue queue = SqliteDeliveryQueue.open(database)) {
                assertThat(queue.dayBuilt(yesterday)).isTrue();
                assertThat(queue.deliveries(yesterday)).singleElement()
                        .extracting(QueuedDelivery::state).isEqualTo(QueuedDelivery.State.DELIVERED);
            }
        } finally {
            mail.stop();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    /**
     * Scrapes {@code /metrics} until it has every expected line (the queue is marked delivered and the log batch
     * committed a moment after the mail arrives); returns the last scrape.
     */
    private static String scrapeUntil(int port, String... expected) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String body = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                body = response.body();
                String scraped = body;
                if (List.of(expected).stream().allMatch(scraped::contains)) {
                    return body;
                }
            } catch (IOException notListeningYet) {
                body = notListeningYet.toString();
            }
            Thread.sleep(200);
        }
        return body;
    }
}
