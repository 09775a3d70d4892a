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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mtasts tlsrpt run} as a child JVM, the way systemd runs it: the ended day in the store is built and
 * delivered on the first tick, and SIGTERM stops the service.
 */
class TlsrptRunCommandTest {

    @TempDir
    Path dir;

    @Test
    void buildsAndDeliversTheEndedDayThenStopsOnSigterm() throws Exception {
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        Path database = dir.resolve("mtasts.db");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            AggregateBatch batch = new AggregateBatch();
            batch.add(new CountedSession(yesterday, "good.test", PolicyGroup.NO_POLICY, null));
            store.commit(batch);
        }
        Path log = Files.writeString(dir.resolve("mail.log"), "");
        int smtpPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            smtpPort = free.getLocalPort();
        }
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
                      report:
                        organization_name: Example Mail
                        contact_info: tlsrpt@mail.example.net
                        submitter_domain: mail.example.net
                        from: tlsrpt-noreply@mail.example.net
                        relay: {host: 127.0.0.1, port: %d}
                        delivery_window: 0
                        late_lines_delay: 0
                    """.formatted(database, dns.hostPort(), log, smtpPort));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process run = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "tlsrpt", "run", "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("run.out").toFile())
                    .start();
            try {
                assertThat(mail.waitForIncomingEmail(TimeUnit.MINUTES.toMillis(2), 1))
                        .as("report mail; output: %s", dir.resolve("run.out")).isTrue();
            } finally {
                run.destroy();
                assertThat(run.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
            }
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
}
