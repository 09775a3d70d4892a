package io.github.mtasts.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.schedule.QueuedDelivery;
import io.github.mtasts.tlsrpt.schedule.SqliteDeliveryQueue;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real {@code mtasts tlsrpt send} as a child JVM, SIGKILLed while it delivers, then run again until it is done:
 * every recipient gets its report, and only the one delivery in flight at the kill may arrive twice, with the same
 * Message-ID (the window between the relay's acceptance and the delivered mark, see DeliveryQueue#claim).
 */
class TlsrptSendCrashTest {
    private static final int DOMAINS = 120;

    @TempDir
    Path dir;

    @Test
    void killedAndRerunSendDeliversEveryReportWithAtMostTheInFlightOneTwice() throws Exception {
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        Path database = dir.resolve("mtasts.db");
        DnsmasqServer.Builder records = DnsmasqServer.builder();
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            AggregateBatch batch = new AggregateBatch();
            for (int d = 0; d < DOMAINS; d++) {
                batch.add(new CountedSession(day, "d" + d + ".test", PolicyGroup.NO_POLICY, null));
                records.txt("_smtp._tls.d" + d + ".test", "v=TLSRPTv1; rua=mailto:tlsrpt@d" + d + ".test");
            }
            store.commit(batch);
        }
        int smtpPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            smtpPort = free.getLocalPort();
        }
        GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        try (DnsmasqServer dns = records.start()) {
            Path config = Files.writeString(dir.resolve("mtasts.yml"), """
                    cache:
                      type: sqlite
                      options:
                        filename: %s
                    dns:
                      nameservers: ["%s"]
                    tlsrpt:
                      report:
                        organization_name: Example Mail
                        contact_info: tlsrpt@mail.example.net
                        submitter_domain: mail.example.net
                        from: tlsrpt-noreply@mail.example.net
                        relay: {host: 127.0.0.1, port: %d, timeout: 1}
                        https_timeout: 1
                        delivery_window: 0
                    """.formatted(database, dns.hostPort(), smtpPort));

            Process first = send(config, day);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (first.isAlive() && mail.getReceivedMessages().length < 10 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(first.isAlive()).as("killed while delivering, not after").isTrue();
            first.destroyForcibly();
            first.waitFor(1, TimeUnit.MINUTES);
            int beforeRerun = mail.getReceivedMessages().length;
            assertThat(beforeRerun).isBetween(10, DOMAINS - 1);

            // a claim of the killed process lapses after its lease (six relay timeouts); until then a rerun exits 1
            int exit;
            do {
                Process rerun = send(config, day);
                assertThat(rerun.waitFor(3, TimeUnit.MINUTES)).isTrue();
                exit = rerun.exitValue();
                if (exit != 0) {
                    Thread.sleep(1000);
                }
            } while (exit != 0 && System.nanoTime() < deadline);
            assertThat(exit).isZero();

            Map<String, Integer> copies = new HashMap<>();
            Map<String, Set<String>> messageIds = new HashMap<>();
            for (MimeMessage message : mail.getReceivedMessages()) {
                String recipient = message.getAllRecipients()[0].toString();
                copies.merge(recipient, 1, Integer::sum);
                messageIds.computeIfAbsent(recipient, r -> new HashSet<>()).add(message.getMessageID());
            }
            assertThat(copies).hasSize(DOMAINS);
            assertThat(copies.values().stream().filter(n -> n > 1).count()).as("duplicates").isLessThanOrEqualTo(1);
            assertThat(copies.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
            assertThat(messageIds.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
            try (SqliteDeliveryQueue queue = SqliteDeliveryQueue.open(database)) {
                List<QueuedDelivery> rows = queue.deliveries(day);
                assertThat(rows).hasSize(DOMAINS).allSatisfy(row ->
                        assertThat(row.state()).isEqualTo(QueuedDelivery.State.DELIVERED));
            }
        } finally {
            mail.stop();
        }
    }

    private static Process send(Path config, LocalDate day) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "tlsrpt", "send", "-c", config.toString(), "--day", day.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
