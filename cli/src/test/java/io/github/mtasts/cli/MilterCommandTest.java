package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.tlsrpt.inbound.InboundReport;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nightcode.milter.Actions;
import org.nightcode.milter.ProtocolFamily;
import org.nightcode.milter.ProtocolSteps;
import org.nightcode.milter.ResponseCode;
import org.nightcode.milter.client.ConnectionFactory;
import org.nightcode.milter.client.MilterResponse;
import org.nightcode.milter.client.MilterSession;
import org.nightcode.milter.client.MilterSessionFactory;
import org.nightcode.milter.client.MilterSessionFactoryBuilder;

class MilterCommandTest {

    @TempDir
    Path dir;

    @Test
    void invalidMilterSectionStopsStartUpNamingTheKey() throws Exception {
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, "milter:\n  addresses:\n    tlsrpt@example.com: bounce\n");

        CommandRun result = CommandRun.of(new MilterCommand(List.of()), "-c", config.toString());

        assertThat(result.exitCode()).isEqualTo(MilterCommand.STARTUP_ERROR);
        assertThat(result.err()).contains("milter.addresses.tlsrpt@example.com: expected keep or discard, got \"bounce\"");
    }

    @Test
    void occupiedListenAddressStopsStartUp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = dir.resolve("mtasts.yml");
            Files.writeString(config, "cache:\n  type: sqlite\n  options:\n    filename: " + dir.resolve("cache.db")
                    + "\nmilter:\n  host: 127.0.0.1\n  port: " + taken.getLocalPort() + "\n");

            CommandRun result = CommandRun.of(new MilterCommand(List.of()), "-c", config.toString());

            assertThat(result.exitCode()).isEqualTo(MilterCommand.STARTUP_ERROR);
            assertThat(result.err()).contains("cannot listen for Postfix on");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A report with {@code policies} policies, in a report mail as Google sends it (gzipped, base64). */
    private static byte[] reportMail(String organization, String reportId, int policies) throws IOException {
        StringBuilder json = new StringBuilder("{\"organization-name\":\"").append(organization)
                .append("\",\"report-id\":\"").append(reportId).append("\",\"contact-info\":\"tls@sender.example\",")
                .append("\"date-range\":{\"start-datetime\":\"2024-05-01T00:00:00Z\",")
                .append("\"end-datetime\":\"2024-05-01T23:59:59Z\"},\"policies\":[");
        for (int i = 0; i < policies; i++) {
            json.append(i == 0 ? "" : ",").append("{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"d")
                    .append(i).append(".example\",\"policy-string\":[\"version: STSv1\",\"mode: enforce\"]},")
                    .append("\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":0}}");
        }
        json.append("]}");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gz)) {
            gzip.write(json.toString().getBytes(StandardCharsets.UTF_8));
        }
        return ("From: noreply@sender.example\r\nTo: tlsrpt@example.com\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"b\"\r\n\r\n--b\r\n"
                + "Content-Type: application/tlsrpt+gzip\r\nContent-Disposition: attachment; filename=\"r.json.gz\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(gz.toByteArray())
                + "\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends one message the way Postfix hands it to a milter; returns the reply codes. */
    private static List<ResponseCode> send(MilterSessionFactory sessions, byte[] message) throws Exception {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        byte[] body = text.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1);
        MilterSession session = sessions.createSession().get(30, TimeUnit.SECONDS);
        try {
            session.connect("mail.sender.example", ProtocolFamily.SMFIA_INET, 25, "192.0.2.25").get(30, TimeUnit.SECONDS);
            session.helo("mail.sender.example").get(30, TimeUnit.SECONDS);
            session.envfrom(List.of("<noreply@sender.example>")).get(30, TimeUnit.SECONDS);
            session.envrcpt(List.of("<tlsrpt@example.com>")).get(30, TimeUnit.SECONDS);
            for (String header : text.substring(0, split).split("\r\n")) {
                int colon = header.indexOf(':');
                session.header(header.substring(0, colon), header.substring(colon + 1).stripLeading())
                        .get(30, TimeUnit.SECONDS);
            }
            session.eoh().get(30, TimeUnit.SECONDS);
            for (int offset = 0; offset < body.length; offset += 8192) {
                session.body(Arrays.copyOfRange(body, offset, Math.min(body.length, offset + 8192)))
                        .get(30, TimeUnit.SECONDS);
            }
            MilterResponse response = session.eob().get(30, TimeUnit.SECONDS);
            return response.packets().stream().map(p -> ResponseCode.valueOf(p.command())).toList();
        } finally {
            session.quit();
        }
    }

    /**
     * The real {@code mtasts milter} process: a report whose organisation name carries a newline and an ANSI escape
     * is logged on one line with both escaped, and a report of 20,000 policies is rejected, counted by the limit it
     * broke and its mail let through.
     */
    @Test
    @Timeout(180)
    void reportFieldsAreLoggedEscapedAndAnOversizedReportIsRejectedAndCounted() throws Exception {
        int milterPort = freePort();
        int metricsPort = freePort();
        Path config = dir.resolve("mtasts.yml");
        Files.writeString(config, "cache:\n  type: sqlite\n  options:\n    filename: " + dir.resolve("cache.db")
                + "\nmilter:\n  host: 127.0.0.1\n  port: " + milterPort + "\n  addresses:\n    tlsrpt@example.com: discard\n"
                + "  metrics:\n    enabled: true\n    host: 127.0.0.1\n    port: " + metricsPort + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = dir.resolve("milter.err");
        Process milter = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "milter", "-c", config.toString())
                .redirectOutput(dir.resolve("milter.out").toFile())
                .redirectError(stderr.toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build();
        MilterSessionFactory sessions = null;
        try {
            // the milter listener starts last, after the store and the metrics listener, and says so
            while (!Files.readString(stderr).contains("milter listening on")) {
                assertThat(milter.isAlive()).as("milter running; stderr: %s", Files.readString(stderr)).isTrue();
                Thread.sleep(100);
            }
            sessions = MilterSessionFactoryBuilder.<InetSocketAddress>builder()
                    .factory(ConnectionFactory.tcpIpFactory(new InetSocketAddress("127.0.0.1", milterPort)))
                    .protocolVersion(6)
                    .actions(Actions.builder().addHeader().deleteRecipients().build())
                    .protocolSteps(ProtocolSteps.builder().build())
                    .create();

            // JSON escapes: a newline that would start a forged log line, and a terminal colour escape
            List<ResponseCode> evil = send(sessions, reportMail(
                    "Evil Org\\nINFO  milter 1: stored Forged Org report x\\u001b[31m", "evil-1", 1));
            List<ResponseCode> huge = send(sessions, reportMail("Huge Sender", "huge-1", 20_000));
            String metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();

            assertThat(evil).containsExactly(ResponseCode.SMFIR_DISCARD);
            assertThat(huge).as("rejected report: its mail is delivered").containsExactly(ResponseCode.SMFIR_CONTINUE);
            assertThat(metrics).contains("mtasts_inbound_reports_over_limit_total{limit=\"report_bytes\"} 1.0",
                    "mtasts_inbound_reports_total{outcome=\"rejected\"} 1.0",
                    "mtasts_inbound_reports_total{outcome=\"stored\"} 1.0");
        } finally {
            if (sessions != null) {
                sessions.close();
            }
            milter.destroy();
            assertThat(milter.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
        }
        String log = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(log).doesNotContain("\u001b");
        assertThat(log.lines().filter(line -> line.contains("Evil Org"))).singleElement().asString()
                .contains("stored Evil Org\\nINFO  milter 1: stored Forged Org report x\\x1b[31m report evil-1 from");
        // the would-be forged line exists only inside the escaped one
        assertThat(log.lines().filter(line -> line.contains("Forged Org"))).hasSize(1);
        assertThat(log).contains("rejected a report in message to [<tlsrpt@example.com>]: message to"
                + " [<tlsrpt@example.com>] (r.json.gz): report larger than the limit of 2097152 bytes");
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("cache.db"))) {
            assertThat(store.reports()).extracting(InboundReport::reportId).containsExactly("evil-1");
        }
    }
}
