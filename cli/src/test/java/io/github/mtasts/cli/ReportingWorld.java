package io.github.mtasts.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.TestCa;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.sessions.ResultType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The report commands' world: a store with one day of sessions for {@code good.test} (mail rua), {@code web.test}
 * (https rua) and {@code none.test} (no record), dnsmasq, GreenMail as relay, an HTTPS receiver with a test-CA
 * certificate trusted through {@code ca_file}, and the configuration file tying them together.
 */
final class ReportingWorld implements AutoCloseable {
    static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);

    final Path config;
    final Path database;
    final GreenMail mail;
    final BlockingQueue<byte[]> posts = new LinkedBlockingQueue<>();
    private final HttpsServer https;
    private final DnsmasqServer dns;

    ReportingWorld(Path dir) throws IOException {
        database = dir.resolve("mtasts.db");
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            AggregateBatch batch = new AggregateBatch();
            batch.add(new CountedSession(DAY, "good.test", PolicyGroup.NO_POLICY, null));
            batch.add(new CountedSession(DAY, "good.test", PolicyGroup.NO_POLICY, new FailureKey(
                    ResultType.CERTIFICATE_EXPIRED, "192.0.2.10", "mx1.good.test", "198.51.100.7", "expired")));
            batch.add(new CountedSession(DAY, "web.test", PolicyGroup.NO_POLICY, null));
            batch.add(new CountedSession(DAY, "none.test", PolicyGroup.NO_POLICY, null));
            store.commit(batch);
        }
        TestCa ca = TestCa.create("reporting CA");
        Path caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(ca.issue("localhost").serverContext()));
        https.createContext("/", exchange -> {
            posts.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        https.start();
        dns = DnsmasqServer.builder()
                .txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@good.test")
                .txt("_smtp._tls.web.test", "v=TLSRPTv1; rua=https://localhost:" + https.getAddress().getPort()
                        + "/in")
                .host("none.test", "127.0.0.1")
                .start();
        int smtpPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            smtpPort = free.getLocalPort();
        }
        mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        config = Files.writeString(dir.resolve("mtasts.yml"), """
                cache:
                  type: sqlite
                  options:
                    filename: %s
                ca_file: %s
                dns:
                  nameservers: ["%s"]
                tlsrpt:
                  report:
                    organization_name: Example Mail
                    contact_info: tlsrpt@mail.example.net
                    submitter_domain: mail.example.net
                    from: tlsrpt-noreply@mail.example.net
                    relay: {host: 127.0.0.1, port: %d}
                    delivery_window: 0
                """.formatted(database, caFile, dns.hostPort(), smtpPort));
    }

    List<Path> noDefaults() {
        return List.of();
    }

    @Override
    public void close() {
        try {
            mail.stop();
        } finally {
            https.stop(0);
            dns.close();
        }
    }
}
