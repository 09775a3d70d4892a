package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9 end to end: the receiving Postfix of reports.test with {@code smtpd_milters} pointing at
 * {@code mtasts milter}; Google's real report mail arrives by SMTP, its report lands in the store (read with the
 * {@code sqlite3} CLI, Debian package sqlite3), the copy to the discard address is dropped and the copy to the
 * keep address delivered; ordinary mail passes, and passes too while the milter is down
 * ({@code milter_default_action = accept}).
 */
@ExtendWith(MailWorldExtension.class)
class MilterEndToEndTest {

    private static final String MX = "127.0.1.14"; // mx.reports.test
    private static final int MILTER_PORT = 8891;
    private static final Path GOOGLE_REPORT = Path.of(System.getProperty("mtasts.root"),
            "tlsrpt/src/test/resources/tlsrpt/google-digilicious-2022-01-09.eml");

    private static MailWorld world;
    private static Path dir;
    private static Path config;
    private static Process milter;

    @BeforeAll
    static void pointTheReportsMxAtTheMilter(MailWorld mailWorld) throws IOException {
        world = mailWorld;
        dir = world.newDirectory("milter");
        Files.createDirectories(dir);
        config = dir.resolve("mtasts.yml");
        Files.writeString(config, """
                cache:
                  type: sqlite
                  options:
                    filename: %s
                milter:
                  host: 127.0.0.1
                  port: %d
                  addresses:
                    tlsrpt@reports.test: discard
                    keep@reports.test: keep
                """.formatted(dir.resolve("state.db"), MILTER_PORT));
        world.setMxListenerParameter("reports.test", "smtpd_milters", "inet:127.0.0.1:" + MILTER_PORT);
        world.setMxListenerParameter("reports.test", "milter_default_action", "accept");
    }

    @AfterAll
    static void restoreTheReportsMx() {
        stopMilter();
        if (world != null) {
            world.setMxListenerParameter("reports.test", "smtpd_milters", null);
            world.setMxListenerParameter("reports.test", "milter_default_action", null);
        }
    }

    @Test
    void reportIsStoredDiscardedForTheDiscardAddressKeptForTheKeepAddressAndOrdinaryMailFlows() throws Exception {
        startMilter();
        String discarded = marker();
        String kept = marker();
        String ordinary = marker();

        sendGoogleReport("tlsrpt@reports.test", discarded);
        sendGoogleReport("keep@reports.test", kept);
        sendOrdinary("someone@reports.test", ordinary);

        awaitInMailbox(kept);
        awaitInMailbox(ordinary);
        assertThat(sqlite("SELECT organization || ' ' || report_id || ' ' || start_time FROM inbound_report"))
                .isEqualTo("Google Inc. 2022-01-09T00:00:00Z_digilicious.com 1641686400");
        assertThat(sqlite("SELECT policy_domain FROM inbound_policy")).isEqualTo("digilicious.com");
        Waits.until("the receiving Postfix to log the milter's DISCARD of the copy to tlsrpt@reports.test",
                Waits.GENEROUS, () -> world.mxLog().stream().anyMatch(line -> line.contains("milter-discard")
                        && line.contains("milter triggers DISCARD action") && line.contains("to=<tlsrpt@reports.test>")));
        assertThat(world.messagesContaining("reports.test", discarded)).isEmpty();
    }

    @Test
    void mailStillFlowsWhileTheMilterIsStopped() throws Exception {
        stopMilter();
        String ordinary = marker();
        String report = marker();

        sendOrdinary("someone@reports.test", ordinary);
        sendGoogleReport("tlsrpt@reports.test", report);

        awaitInMailbox(ordinary);
        awaitInMailbox(report);
    }

    private static String marker() {
        return "marker-" + UUID.randomUUID();
    }

    private static void awaitInMailbox(String marker) {
        Waits.until("a message with " + marker + " in the reports.test Maildir", Waits.GENEROUS,
                () -> !world.messagesContaining("reports.test", marker).isEmpty());
    }

    /** The real Google report mail with a header naming {@code marker} prepended (outside its DKIM signature). */
    private static void sendGoogleReport(String recipient, String marker) throws IOException, MessagingException {
        byte[] header = ("X-Mtasts-Test: " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] original = Files.readAllBytes(GOOGLE_REPORT);
        byte[] message = new byte[header.length + original.length];
        System.arraycopy(header, 0, message, 0, header.length);
        System.arraycopy(original, 0, message, header.length, original.length);
        try (InputStream in = new ByteArrayInputStream(message)) {
            send(new MimeMessage(session(), in), "noreply-smtp-tls-reporting@google.com", recipient);
        }
    }

    private static void sendOrdinary(String recipient, String marker) throws MessagingException {
        MimeMessage message = new MimeMessage(session());
        message.setFrom("alice@sender.test");
        message.setRecipients(MimeMessage.RecipientType.TO, recipient);
        message.setSubject("ordinary mail");
        message.setText(marker + "\n");
        message.saveChanges();
        send(message, "alice@sender.test", recipient);
    }

    private static Session session() {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", MX);
        properties.put("mail.smtp.port", "25");
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "30000");
        return Session.getInstance(properties);
    }

    private static void send(MimeMessage message, String envelopeSender, String recipient) throws MessagingException {
        Session session = session();
        session.getProperties().put("mail.smtp.from", envelopeSender);
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, new Address[] {new InternetAddress(recipient)});
        }
    }

    private static String sqlite(String query) {
        Commands.Result result = Commands.check("sqlite3", dir.resolve("state.db").toString(), query);
        return result.stdout().strip();
    }

    private static void startMilter() throws IOException {
        if (milter != null) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("mtasts.root"), "bin", "mtasts").toString(), "milter", "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("milter.out").toFile()));
        builder.environment().put("MTASTS_JAR", System.getProperty("mtasts.jar"));
        milter = builder.start();
        Waits.until("the milter to listen on port " + MILTER_PORT, Waits.GENEROUS, () -> {
            if (!milter.isAlive()) {
                throw new IllegalStateException("the milter exited " + milter.exitValue() + ":\n" + milterOutput());
            }
            return listening();
        });
    }

    private static void stopMilter() {
        if (milter == null) {
            return;
        }
        milter.destroy();
        try {
            if (!milter.waitFor(30, TimeUnit.SECONDS)) {
                milter.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        milter = null;
        Waits.until("port " + MILTER_PORT + " to close", Waits.GENEROUS, () -> !listening());
    }

    private static boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", MILTER_PORT), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String milterOutput() {
        try {
            Path out = dir.resolve("milter.out");
            return Files.exists(out) ? Files.readString(out) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
