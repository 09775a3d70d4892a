package io.github.mtasts.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.TestCa;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real {@code mtasts tlsrpt send} as a child JVM, SIGKILLed while it delivers, then run again: no (day, domain,
 * destination) ever reaches its destination twice. Killed before the commit point (before the final dot of DATA,
 * before the last byte of a POST), the rerun delivers once the killed attempt's lease lapsed; killed after it, the
 * delivery is uncertain, is not resent, and waits for the operator's {@code tlsrpt queue --resend} or
 * {@code --mark-delivered}.
 */
class TlsrptSendCrashTest {
    private static final int DOMAINS = 120;
    /** Relay and HTTPS timeout of the child: its lease is six of them (ReportSettings.lease). */
    private static final int TIMEOUT_SECONDS = 3;
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID: (<[^>]+>)");

    @TempDir
    Path dir;

    private final LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** What one child process printed and how it ended. */
    private record Run(int exit, String output) {
    }

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void killedAndRerunSendDeliversEveryReportAtMostOnce() throws Exception {
        DnsmasqServer.Builder records = DnsmasqServer.builder();
        AggregateBatch batch = new AggregateBatch();
        for (int d = 0; d < DOMAINS; d++) {
            batch.add(new CountedSession(day, "d" + d + ".test", PolicyGroup.NO_POLICY, null));
            records.txt("_smtp._tls.d" + d + ".test", "v=TLSRPTv1; rua=mailto:tlsrpt@d" + d + ".test");
        }
        int smtpPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            smtpPort = free.getLocalPort();
        }
        GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        resources.add(mail::stop);
        Path config = world(batch, records, smtpPort, null, 1);

        Process first = start(config, "send", "--day", day.toString());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (first.isAlive() && mail.getReceivedMessages().length < 10 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(first.isAlive()).as("killed while delivering, not after").isTrue();
        first.destroyForcibly();
        first.waitFor(1, TimeUnit.MINUTES);
        assertThat(mail.getReceivedMessages().length).isBetween(10, DOMAINS - 1);

        // two senders at once share the queue; a claim of the killed process lapses after its lease, so reruns go on
        // until nothing is pending (an attempt killed past its commit point stays uncertain, never pending)
        List<QueuedDelivery> rows;
        do {
            Process one = start(config, "send", "--day", day.toString());
            Process two = start(config, "send", "--day", day.toString());
            assertThat(one.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(two.waitFor(3, TimeUnit.MINUTES)).isTrue();
            rows = rows();
            if (rows.stream().anyMatch(r -> r.state() == QueuedDelivery.State.PENDING)) {
                Thread.sleep(1000);
            }
        } while (rows.stream().anyMatch(r -> r.state() == QueuedDelivery.State.PENDING)
                && System.nanoTime() < deadline);

        Map<String, Integer> copies = new HashMap<>();
        for (MimeMessage message : mail.getReceivedMessages()) {
            copies.merge(message.getAllRecipients()[0].toString(), 1, Integer::sum);
        }
        assertThat(copies.values()).as("no recipient got its report twice").allSatisfy(n -> assertThat(n).isOne());
        assertThat(rows).hasSize(DOMAINS);
        List<QueuedDelivery> uncertain = rows.stream().filter(r -> r.state() != QueuedDelivery.State.DELIVERED)
                .toList();
        assertThat(uncertain).as("only the attempt in flight at the kill may be unsettled").hasSizeLessThanOrEqualTo(1)
                .allSatisfy(r -> assertThat(r.state()).isEqualTo(QueuedDelivery.State.SENDING));
        for (QueuedDelivery row : rows) {
            String recipient = row.destinationKey().substring("mailto:".length());
            if (row.state() == QueuedDelivery.State.DELIVERED) {
                assertThat(copies).as(recipient).containsEntry(recipient, 1);
            }
        }
    }

    @Test
    void mailKilledBeforeTheFinalDotIsDeliveredExactlyOnceByTheRerun() throws Exception {
        HoldingSmtpServer relay = new HoldingSmtpServer(HoldingSmtpServer.Hold.DATA_REPLY);
        resources.add(relay);
        Path config = oneDomain("v=TLSRPTv1; rua=mailto:tlsrpt@one.test", relay.port(), null);

        Process first = start(config, "send", "--day", day.toString());
        assertThat(relay.awaitHolding(60)).as("the relay holds its reply to DATA").isTrue();
        first.destroyForcibly();
        assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        relay.release();
        assertThat(relay.messages()).isEmpty();
        assertThat(single().state()).as("killed before the commit point").isEqualTo(
                QueuedDelivery.State.PENDING);

        awaitLeaseLapse();
        Run rerun = run(config, "send", "--day", day.toString());

        assertThat(rerun.exit()).as(rerun.output()).isZero();
        assertThat(relay.messages()).hasSize(1);
        assertThat(single().state()).isEqualTo(QueuedDelivery.State.DELIVERED);
        assertThat(single().attempts()).isEqualTo(2);
    }

    @Test
    void mailKilledAfterTheCommitPointIsUncertainNotResentAndSettledByTheOperator() throws Exception {
        HoldingSmtpServer relay = new HoldingSmtpServer(HoldingSmtpServer.Hold.FINAL_REPLY);
        resources.add(relay);
        Path config = oneDomain("v=TLSRPTv1; rua=mailto:tlsrpt@one.test", relay.port(), null);

        Process first = start(config, "send", "--day", day.toString());
        assertThat(relay.awaitHolding(60)).as("the relay has the final dot and holds its reply").isTrue();
        first.destroyForcibly();
        assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        relay.release();
        assertThat(relay.messages()).hasSize(1);
        Matcher id = MESSAGE_ID.matcher(relay.messages().get(0));
        assertThat(id.find()).isTrue();
        String messageId = id.group(1);

        Run during = run(config, "send", "--day", day.toString());
        assertThat(during.exit()).as("not settled: " + during.output()).isEqualTo(1);
        assertThat(during.output()).contains("sending (Message-ID " + messageId + " via relay 127.0.0.1:"
                + relay.port() + ")");
        awaitLeaseLapse();
        Run again = run(config, "send", "--day", day.toString());
        Run queue = run(config, "queue");
        Run status = run(config, "status");

        assertThat(again.exit()).isEqualTo(1);
        assertThat(relay.messages()).as("never resent by itself").hasSize(1);
        QueuedDelivery row = single();
        assertThat(row.state()).isEqualTo(QueuedDelivery.State.SENDING);
        assertThat(queue.output()).contains("0 delivered, 0 pending, 0 failed, 1 attempts; 0 sending, 1 uncertain",
                "UNCERTAIN after 1 attempt", "Message-ID " + messageId + " via relay 127.0.0.1:" + relay.port(),
                "--report-id " + row.reportId() + " --resend mailto:tlsrpt@one.test");
        assertThat(status.output()).contains("0 pending, 0 sending, 1 uncertain, 0 delivered, 0 failed",
                "one.test -> mailto:tlsrpt@one.test: UNCERTAIN");

        Run settle = run(config, "queue", "--report-id", row.reportId(), "--mark-delivered",
                "mailto:tlsrpt@one.test");
        Run after = run(config, "send", "--day", day.toString());

        assertThat(settle.exit()).as(settle.output()).isZero();
        assertThat(after.exit()).as(after.output()).isZero();
        assertThat(relay.messages()).hasSize(1);
        assertThat(single().state()).isEqualTo(QueuedDelivery.State.DELIVERED);
    }

    @Test
    void postKilledBeforeTheLastByteIsDeliveredExactlyOnceByTheRerun() throws Exception {
        TestCa ca = TestCa.create("crash receiver CA");
        // first a bare TCP listener that never answers the TLS handshake: the child waits there, before its body
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        silent.setSoTimeout(60_000);
        int port = silent.getLocalPort();
        Path config = oneDomain("v=TLSRPTv1; rua=https://localhost:" + port + "/in", unusedPort(), ca);

        Process first = start(config, "send", "--day", day.toString());
        try (Socket held = silent.accept()) {
            first.destroyForcibly();
            assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        }
        silent.close();
        assertThat(single().state()).isEqualTo(QueuedDelivery.State.PENDING);
        BlockingQueue<byte[]> posts = new LinkedBlockingQueue<>();
        receiver(ca, port, posts, new CountDownLatch(0), new CountDownLatch(0));

        awaitLeaseLapse();
        Run rerun = run(config, "send", "--day", day.toString());

        assertThat(rerun.exit()).as(rerun.output()).isZero();
        assertThat(posts).hasSize(1);
        assertThat(single().state()).isEqualTo(QueuedDelivery.State.DELIVERED);
    }

    @Test
    void postKilledWhileTheReceiverHoldsItsAnswerIsUncertainUntilTheOperatorResendsIt() throws Exception {
        TestCa ca = TestCa.create("crash receiver CA");
        int port = unusedPort();
        BlockingQueue<byte[]> posts = new LinkedBlockingQueue<>();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        receiver(ca, port, posts, holding, release);
        String uri = "https://localhost:" + port + "/in";
        Path config = oneDomain("v=TLSRPTv1; rua=" + uri, unusedPort(), ca);

        Process first = start(config, "send", "--day", day.toString());
        assertThat(holding.await(60, TimeUnit.SECONDS)).as("the receiver has the body and holds its answer").isTrue();
        first.destroyForcibly();
        assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        release.countDown();
        assertThat(posts).hasSize(1);

        Run during = run(config, "send", "--day", day.toString());
        awaitLeaseLapse();
        Run queue = run(config, "queue");

        assertThat(during.exit()).isEqualTo(1);
        assertThat(posts).as("never resent by itself").hasSize(1);
        QueuedDelivery row = single();
        assertThat(queue.output()).contains("UNCERTAIN after 1 attempt",
                "POST of report-id <" + row.reportId() + "> to " + uri);

        Run settle = run(config, "queue", "--report-id", row.reportId(), "--resend", uri);
        Run resent = run(config, "send", "--day", day.toString());

        assertThat(settle.exit()).as(settle.output()).isZero();
        assertThat(resent.exit()).as(resent.output()).isZero();
        assertThat(posts).as("resent because the operator said so").hasSize(2);
        assertThat(single().state()).isEqualTo(QueuedDelivery.State.DELIVERED);
    }

    /** An HTTPS receiver that counts a POST once it has the whole body, then answers 200 once released. */
    private void receiver(TestCa ca, int port, BlockingQueue<byte[]> posts, CountDownLatch holding,
                          CountDownLatch release) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.issue("localhost").serverContext()));
        ExecutorService threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            posts.add(exchange.getRequestBody().readAllBytes());
            holding.countDown();
            try {
                release.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        resources.add(() -> {
            server.stop(0);
            threads.shutdownNow();
        });
    }

    private Path oneDomain(String record, int smtpPort, TestCa ca) throws IOException {
        AggregateBatch batch = new AggregateBatch();
        batch.add(new CountedSession(day, "one.test", PolicyGroup.NO_POLICY, null));
        return world(batch, DnsmasqServer.builder().txt("_smtp._tls.one.test", record), smtpPort, ca,
                TIMEOUT_SECONDS);
    }

    private Path world(AggregateBatch batch, DnsmasqServer.Builder records, int smtpPort, TestCa ca, int timeout)
            throws IOException {
        Path database = dir.resolve("mtasts.db");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            store.commit(batch);
        }
        DnsmasqServer dns = records.start();
        resources.add(dns);
        String caLine = "";
        if (ca != null) {
            Path caFile = dir.resolve("ca.pem");
            ca.writePem(caFile);
            caLine = "ca_file: " + caFile + "\n";
        }
        return Files.writeString(dir.resolve("mtasts.yml"), """
                cache:
                  type: sqlite
                  options:
                    filename: %s
                %sdns:
                  nameservers: ["%s"]
                tlsrpt:
                  report:
                    organization_name: Example Mail
                    contact_info: tlsrpt@mail.example.net
                    submitter_domain: mail.example.net
                    from: tlsrpt-noreply@mail.example.net
                    relay: {host: 127.0.0.1, port: %d, timeout: %d}
                    https_timeout: %d
                    delivery_window: 0
                """.formatted(database, caLine, dns.hostPort(), smtpPort, timeout, timeout));
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    private List<QueuedDelivery> rows() {
        try (SqliteDeliveryQueue queue = SqliteDeliveryQueue.open(dir.resolve("mtasts.db"))) {
            return queue.deliveries(day);
        }
    }

    private QueuedDelivery single() {
        List<QueuedDelivery> rows = rows();
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    /** Waits (bounded) until the killed attempt's claim lapsed, as every other process sees it. */
    private void awaitLeaseLapse() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (single().nextAttempt().isAfter(java.time.Instant.now()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static Run run(Path config, String... args) throws Exception {
        Process process = command(config, args).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), output);
    }

    /** A child whose output nobody reads (so it cannot block on a full pipe). */
    private static Process start(Path config, String... args) throws IOException {
        return command(config, args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** {@code mtasts tlsrpt ARGS[0] -c CONFIG ARGS[1..]} in a JVM of its own. */
    private static ProcessBuilder command(Path config, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "tlsrpt"));
        command.add(args[0]);
        command.addAll(List.of("-c", config.toString()));
        command.addAll(List.of(args).subList(1, args.length));
        return new ProcessBuilder(command);
    }
}
