package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.mtasts.tlsrpt.config.MilterConfig.Disposition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nightcode.milter.ResponseCode;
import org.nightcode.milter.codec.MilterPacket;

/** Drives the milter over a real socket with jmilter's MTA-side client, the way Postfix talks to it. */
@Timeout(60)
class ReportMilterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2022-01-10T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private SqliteInboundReportStore store;
    private MilterServer server;
    private MilterClient clients;
    private SimpleMeterRegistry registry;

    private InetSocketAddress start(Map<String, Disposition> addresses, int maxMessageSize) throws Exception {
        store = SqliteInboundReportStore.open(dir.resolve("cache.db"));
        registry = new SimpleMeterRegistry();
        ReportIntake intake = new ReportIntake(new ReportExtractor(ReportLimits.DEFAULT), store,
                new InboundMetrics(registry), CLOCK);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        server = MilterServer.start(address, new ReportMilter(intake, addresses, maxMessageSize));
        clients = new MilterClient(address);
        return address;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        if (clients != null) {
            clients.close();
        }
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private List<MilterPacket> send(List<String> recipients, byte[] message) throws Exception {
        return clients.send(recipients, message);
    }

    private static List<ResponseCode> codes(List<MilterPacket> packets) {
        return MilterClient.codes(packets);
    }

    @Test
    void realGoogleReportMailIsStoredAndKept() throws Exception {
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.KEEP), 1 << 20);

        List<MilterPacket> reply = send(List.of("<postmaster-smtp-rua@digilicious.com>"),
                Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML));

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_CONTINUE);
        assertThat(store.reports()).singleElement().satisfies(report -> {
            assertThat(report.organizationName()).isEqualTo("Google Inc.");
            assertThat(report.reportId()).isEqualTo("2022-01-09T00:00:00Z_digilicious.com");
            assertThat(report.successfulSessions()).isEqualTo(5);
            assertThat(report.deviations()).containsExactly(
                    "policies[0].policy.policy-string lines end in a stray \\r; removed");
        });
    }

    @Test
    void reportMailToADiscardAddressIsDiscardedOnceStored() throws Exception {
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD), 1 << 20);

        List<MilterPacket> reply = send(List.of("<Postmaster-SMTP-RUA@digilicious.com>"),
                Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML));

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_DISCARD);
        assertThat(store.reports()).hasSize(1);
    }

    @Test
    void discardAddressAmongOtherRecipientsIsOnlyRemovedFromTheEnvelope() throws Exception {
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD), 1 << 20);

        List<MilterPacket> reply = send(List.of("<postmaster-smtp-rua@digilicious.com>", "<admin@digilicious.com>"),
                Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML));

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_DELRCPT, ResponseCode.SMFIR_CONTINUE);
        assertThat(new String(reply.get(0).payload(), StandardCharsets.US_ASCII))
                .startsWith("<postmaster-smtp-rua@digilicious.com>");
    }

    @Test
    void reportMailToAnyAddressIsRecognisedByItsContentAndKept() throws Exception {
        start(Map.of(), 1 << 20);

        List<MilterPacket> reply = send(List.of("<tls-reports@cardinalhealth.ca>"),
                Samples.bytes(Samples.GOOGLE_CARDINALHEALTH_EML));

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_CONTINUE);
        assertThat(store.reports()).singleElement()
                .satisfies(report -> assertThat(report.policies().get(0).policyDomain()).contains("cardinalhealth.ca"));
    }

    @Test
    void secondDeliveryOfTheSameReportIsADuplicateAndStillDiscarded() throws Exception {
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD), 1 << 20);
        byte[] message = Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML);

        send(List.of("<postmaster-smtp-rua@digilicious.com>"), message);
        List<MilterPacket> again = send(List.of("<postmaster-smtp-rua@digilicious.com>"), message);

        assertThat(codes(again)).containsExactly(ResponseCode.SMFIR_DISCARD);
        assertThat(store.reports()).hasSize(1);
    }

    @Test
    void ordinaryMailPassesUnchangedAndStoresNothing() throws Exception {
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD), 1 << 20);
        byte[] message = """
                From: alice@example.net
                To: bob@digilicious.com
                Subject: lunch
                Content-Type: text/plain; charset=utf-8

                See you at noon.
                """.getBytes(StandardCharsets.UTF_8);

        List<MilterPacket> reply = send(List.of("<bob@digilicious.com>"), message);

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_CONTINUE);
        assertThat(store.reports()).isEmpty();
    }

    @Test
    void mailToADiscardAddressWithoutAReportIsKept() throws Exception {
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD), 1 << 20);
        byte[] message = """
                From: alice@example.net
                To: postmaster-smtp-rua@digilicious.com
                Subject: a question about your TLS

                Hello.
                """.getBytes(StandardCharsets.UTF_8);

        List<MilterPacket> reply = send(List.of("<postmaster-smtp-rua@digilicious.com>"), message);

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_CONTINUE);
    }

    @Test
    void storeFailureLetsTheMessageContinueUnchanged() throws Exception {
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD), 1 << 20);
        store.close();

        List<MilterPacket> reply = send(List.of("<postmaster-smtp-rua@digilicious.com>"),
                Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML));

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_CONTINUE);
    }

    @Test
    void messageOverTheSizeLimitPassesThroughUnread() throws Exception {
        byte[] message = Samples.bytes(Samples.GOOGLE_DIGILICIOUS_EML);
        start(Map.of("postmaster-smtp-rua@digilicious.com", Disposition.DISCARD), message.length / 2);

        List<MilterPacket> reply = send(List.of("<postmaster-smtp-rua@digilicious.com>"), message);

        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_CONTINUE);
        assertThat(store.reports()).isEmpty();
    }

    @Test
    void reportOverTheLimitsIsRejectedCountedAndItsMailKept() throws Exception {
        start(Map.of("tlsrpt@example.com", Disposition.DISCARD), 10 << 20);
        byte[] json = BigReports.json("Big Sender", "r-huge", "2024-03-01", 20_000, 0);

        List<MilterPacket> reply = send(List.of("<tlsrpt@example.com>"),
                BigReports.message("tlsrpt@example.com", "huge.json.gz", json));

        // 20,000 policies are 3.4 MB of JSON (the 100 kB of gzip the issue saw), over the size limit before the
        // policy limit: rejected whole, nothing stored, and the mail goes on to the mailbox rather than being discarded
        assertThat(json.length).isGreaterThan((int) ReportLimits.DEFAULT.maxReportBytes());
        assertThat(codes(reply)).containsExactly(ResponseCode.SMFIR_CONTINUE);
        assertThat(store.reports()).isEmpty();
        assertThat(registry.get("mtasts.inbound.reports.over.limit").tag("limit", "report_bytes").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("mtasts.inbound.reports").tag("outcome", "rejected").counter().count()).isEqualTo(1);
    }

    @Test
    void reportFieldsAreLoggedWithControlCharactersEscaped() throws Exception {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ReportMilter.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            start(Map.of(), 1 << 20);
            // JSON escapes: the organisation name holds a newline and an ANSI colour escape
            byte[] json = BigReports.json("Evil Org\\nINFO milter forged: stored nothing\\u001b[31m", "r-1",
                    "2024-03-01", 1, 1);

            send(List.of("<tlsrpt@example.com>"), BigReports.message("tlsrpt@example.com", "r.json.gz", json));

            assertThat(store.reports()).singleElement().satisfies(r -> assertThat(r.organizationName())
                    .isEqualTo("Evil Org\nINFO milter forged: stored nothing\u001b[31m"));
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                    .filteredOn(line -> line.contains("stored Evil Org")).singleElement().satisfies(line -> {
                        assertThat(line).contains("stored Evil Org\\nINFO milter forged: stored nothing\\x1b[31m"
                                + " report r-1 from message to [<tlsrpt@example.com>] (r.json.gz)");
                        assertThat(line).doesNotContain("\n", "\u001b");
                    });
        } finally {
            logger.detachAppender(appender);
        }
    }
}
