package io.github.mtasts.tlsrpt.delivery;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.TestCa;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.report.RuaLookup;
import io.github.mtasts.tlsrpt.sessions.ResultType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Real parts for the dispatch tests: an aggregate store holding one day of sessions for four policy domains, a
 * dnsmasq publishing their TLSRPT records, GreenMail as the mail relay and a JDK HttpsServer (test CA) as an HTTPS
 * receiver. {@code good.test} reports by mail to two recipients, {@code web.test} by HTTPS, {@code none.test}
 * publishes no record, {@code quiet.test} had only successful sessions.
 */
public final class DispatchWorld implements AutoCloseable {
    public static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    public static final String POLICY_TEXT = "version: STSv1\nmode: enforce\nmx: mx1.good.test\nmax_age: 86400";
    public static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofHours(6), Duration.ofMinutes(5),
            Duration.ofMinutes(20));
    public static final Duration LEASE = Duration.ofMinutes(10);

    public final Path database;
    public final MutableClock clock = new MutableClock(DAY.plusDays(1).atTime(2, 0).toInstant(java.time.ZoneOffset.UTC));
    public final BlockingQueue<byte[]> posts = new LinkedBlockingQueue<>();
    public final int smtpPort;
    public final SqliteAggregateStore aggregates;
    public final TestCa ca = TestCa.create("dispatch receiver CA");
    private final DnsmasqServer dns;
    private final HttpsServer https;
    private GreenMail mail;

    public DispatchWorld(Path dir) throws IOException {
        database = dir.resolve("mtasts.db");
        aggregates = SqliteAggregateStore.open(database);
        aggregates.commit(sessions());
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(ca.issue("localhost").serverContext()));
        https.createContext("/", exchange -> {
            posts.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        https.start();
        dns = DnsmasqServer.builder()
                .txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@good.test, mailto:ops@good.test")
                .txt("_smtp._tls.web.test", "v=TLSRPTv1; rua=https://localhost:" + https.getAddress().getPort()
                        + "/tlsrpt")
                .txt("_smtp._tls.quiet.test", "v=TLSRPTv1; rua=mailto:tlsrpt@quiet.test")
                .host("none.test", "127.0.0.1")
                .start();
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            smtpPort = free.getLocalPort();
        }
        startMail();
    }

    private static AggregateBatch sessions() {
        AggregateBatch batch = new AggregateBatch();
        PolicyGroup sts = PolicyGroup.sts(ServedPolicy.hashOf(policy()));
        FailureKey expired = new FailureKey(ResultType.CERTIFICATE_EXPIRED, "192.0.2.10", "mx1.good.test",
                "198.51.100.7", "certificate has expired");
        for (int i = 0; i < 3; i++) {
            batch.add(new CountedSession(DAY, "good.test", sts, null));
        }
        batch.add(new CountedSession(DAY, "good.test", sts, expired));
        batch.add(new CountedSession(DAY, "web.test", PolicyGroup.NO_POLICY, new FailureKey(
                ResultType.STARTTLS_NOT_SUPPORTED, "", "mx.web.test", "198.51.100.8", "")));
        batch.add(new CountedSession(DAY, "none.test", PolicyGroup.NO_POLICY, null));
        batch.add(new CountedSession(DAY, "quiet.test", PolicyGroup.NO_POLICY, null));
        return batch;
    }

    public static StsPolicy policy() {
        try {
            return StsPolicy.parse(POLICY_TEXT);
        } catch (PolicySyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<ServedPolicy> served(String domain) {
        if (!domain.equals("good.test")) {
            return List.of();
        }
        Instant from = DAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        return List.of(new ServedPolicy(domain, ServedPolicy.hashOf(policy()), POLICY_TEXT, PolicyMode.ENFORCE, from,
                from.plus(Duration.ofDays(1))));
    }

    public GreenMail mail() {
        return mail;
    }

    public void startMail() {
        mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
    }

    public void stopMail() {
        mail.stop();
    }

    public ReportBuilder builder() {
        return new ReportBuilder(new ReporterSettings("Example Mail", "tlsrpt@mail.example.net", "mail.example.net"));
    }

    public MailSettings mailSettings() {
        return new MailSettings("127.0.0.1", smtpPort, StartTls.OFF, null, null, "tlsrpt-noreply@mail.example.net",
                "reporter.test", Duration.ofSeconds(10), null);
    }

    /** The production sender: Jakarta Mail to GreenMail, HttpClient to the HTTPS receiver. */
    public Deliverer sender() {
        return new ReportSender(new MailDelivery(mailSettings(), clock),
                new HttpsDelivery(ca.clientContext(), Duration.ofSeconds(10), "mtasts-test"))::send;
    }

    public RuaLookup rua() {
        return new RuaLookup(DnsTxtLookup.using(List.of(dns.address()), Duration.ofSeconds(2)));
    }

    public ReportDispatch dispatch(DeliveryQueue queue, Deliverer deliverer) {
        return new ReportDispatch(aggregates, DispatchWorld::served, builder(), rua(), queue, deliverer, RETRY, LEASE,
                new Random(7), clock);
    }

    @Override
    public void close() {
        try {
            mail.stop();
        } finally {
            https.stop(0);
            dns.close();
            aggregates.close();
        }
    }
}
