package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.mtasts.testing.TestCa;
import io.github.mtasts.tlsrpt.report.AppliedPolicy;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.PolicyResult;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.resolver.policy.TlsRptRecord;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReportSenderTest {

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @Test
    void eachDestinationOfARecordGetsTheReportByItsOwnMeans() throws Exception {
        TestCa ca = TestCa.create("sender test CA");
        AtomicInteger posts = new AtomicInteger();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.issue("localhost").serverContext()));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            TlsRptReport report = new ReportBuilder(new ReporterSettings("Example Mail", "tlsrpt@mail.example.net",
                    "mail.example.net")).build(new DailyReport(LocalDate.of(2026, 11, 28), "example.com",
                    List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 3, 0, List.of()))));
            TlsRptRecord record = TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.com, https://localhost:"
                    + server.getAddress().getPort() + "/in");
            ReportSender sender = new ReportSender(
                    new MailDelivery(new MailSettings("127.0.0.1", GREENMAIL.getSmtp().getPort(), StartTls.OFF, null, null,
                            "tlsrpt-noreply@mail.example.net", "reporter.test", Duration.ofSeconds(20), null),
                            Clock.systemUTC()),
                    new HttpsDelivery(ca.clientContext(), Duration.ofSeconds(10), "mtasts-test"));

            for (Destination destination : Destination.allOf(record)) {
                assertThat(sender.send(report, destination, detail -> true)).as(destination.key())
                        .isInstanceOf(DeliveryResult.Delivered.class);
            }

            assertThat(GREENMAIL.waitForIncomingEmail(10_000, 2)).isTrue();
            assertThat(GREENMAIL.getReceivedMessagesForDomain("example.com")).hasSize(2);
            assertThat(posts.get()).isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }
}
