package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.MilterConfig.Disposition;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
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
import org.nightcode.milter.codec.MilterPacket;

/** Drives the milter over a real socket with jmilter's MTA-side client, the way Postfix talks to it. */
@Timeout(60)
class ReportMilterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2022-01-10T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private SqliteInboundReportStore store;
    private MilterServer server;
    private MilterSessionFactory clients;

    private InetSocketAddress start(Map<String, Disposition> addresses, int maxMessageSize) throws Exception {
        store = SqliteInboundReportStore.open(dir.resolve("cache.db"));
        ReportIntake intake = new ReportIntake(new ReportExtractor(1 << 20), store,
                new InboundMetrics(new SimpleMeterRegistry()), CLOCK);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        server = MilterServer.start(address, new ReportMilter(intake, addresses, maxMessageSize));
        clients = MilterSessionFactoryBuilder.<InetSocketAddress>builder()
                .factory(ConnectionFactory.tcpIpFactory(address))
                .protocolVersion(6)
                .actions(Actions.builder().addHeader().deleteRecipients().build())
                .protocolSteps(ProtocolSteps.builder().build())
                .create();
        return address;
    }

    private static int freePort() throws IOException {
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

    /** Sends one message as Postfix would: envelope, headers one by one, body in chunks, end of message. */
    private List<MilterPacket> send(List<String> recipients, byte[] message) throws Exception {
        String text = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace("\n", "\r\n");
        int split = text.indexOf("\r\n\r\n");
        String head = text.substring(0, split);
        byte[] body = text.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1);
        MilterSession session = clients.createSession().get(30, TimeUnit.SECONDS);
        try {
            session.connect("mail.example.net", ProtocolFamily.SMFIA_INET, 25, "192.0.2.25").get(30, TimeUnit.SECONDS);
            session.helo("mail.example.net").get(30, TimeUnit.SECONDS);
            session.envfrom(List.of("<noreply-smtp-tls-reporting@google.com>")).get(30, TimeUnit.SECONDS);
            for (String recipient : recipients) {
                session.envrcpt(List.of(recipient)).get(30, TimeUnit.SECONDS);
            }
            for (String header : unfoldedHeaders(head)) {
                int colon = header.indexOf(':');
                session.header(header.substring(0, colon), header.substring(colon + 1).stripLeading())
                        .get(30, TimeUnit.SECONDS);
            }
            session.eoh().get(30, TimeUnit.SECONDS);
            for (int offset = 0; offset < body.length; offset += 1000) {
                session.body(Arrays.copyOfRange(body, offset, Math.min(body.length, offset + 1000)))
                        .get(30, TimeUnit.SECONDS);
            }
            MilterResponse response = session.eob().get(30, TimeUnit.SECONDS);
            return response.packets();
        } finally {
            session.quit();
        }
    }

    private static List<String> unfoldedHeaders(String head) {
        List<String> headers = new ArrayList<>();
        for (String line : head.split("\r\n")) {
            if ((line.startsWith(" ") || line.startsWith("\t")) && !headers.isEmpty()) {
                headers.set(headers.size() - 1, headers.get(headers.size() - 1) + "\r\n" + line);
            } else {
                headers.add(line);
            }
        }
        return headers;
    }

    private static List<ResponseCode> codes(List<MilterPacket> packets) {
        return packets.stream().map(p -> ResponseCode.valueOf(p.command())).toList();
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
}
