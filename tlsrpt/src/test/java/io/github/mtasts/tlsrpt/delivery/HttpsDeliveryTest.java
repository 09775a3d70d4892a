package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.mtasts.testing.TestCa;
import io.github.mtasts.tlsrpt.report.AppliedPolicy;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.PolicyResult;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.report.Rfc8460Json;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real HTTPS receiver (JDK HttpsServer) with a certificate from the test CA. */
class HttpsDeliveryTest {

    /** What the receiver saw of one request. */
    record Received(String method, String path, String contentType, String userAgent, byte[] body) {
    }

    private static final CommitPoint PASS = detail -> true;

    private static TestCa ca;
    private static TlsRptReport report;

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private HttpsServer server;

    @BeforeAll
    static void setUp() {
        ca = TestCa.create("tlsrpt receiver CA");
        report = new ReportBuilder(new ReporterSettings("Example Mail", "tlsrpt@mail.example.net", "mail.example.net"))
                .build(new DailyReport(LocalDate.of(2026, 11, 28), "example.com",
                List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 12, 0, List.of()))));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private URI start(SSLContext serverTls, int status) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("User-Agent"), body));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/tlsrpt/in?k=1");
    }

    private static HttpsDelivery delivery() {
        return new HttpsDelivery(ca.clientContext(), Duration.ofSeconds(10), "mtasts-tlsrpt-test");
    }

    private Received onlyRequest() throws InterruptedException {
        Received request = received.poll(10, TimeUnit.SECONDS);
        assertThat(request).as("a request reached the receiver").isNotNull();
        assertThat(received).isEmpty();
        return request;
    }

    @Test
    void postsTheGzippedReportAndA2xxAnswerIsDelivery() throws Exception {
        URI target = start(ca.issue("localhost").serverContext(), 202);

        DeliveryResult result = delivery().deliver(report, target, PASS);

        assertThat(result).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(result.detail()).contains("HTTP 202");
        Received request = onlyRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/tlsrpt/in?k=1");
        assertThat(request.contentType()).isEqualTo("application/tlsrpt+gzip");
        assertThat(request.userAgent()).isEqualTo("mtasts-tlsrpt-test");
        String json;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(request.body()))) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(json).isEqualTo(report.json());
        assertThat(Rfc8460Json.schemaViolations(Rfc8460Json.parse(json))).isEmpty();
    }

    @Test
    void commitPointIsReachedWithTheUriBeforeTheReceiverHasTheWholeBody() throws Exception {
        URI target = start(ca.issue("localhost").serverContext(), 200);
        List<String> details = new ArrayList<>();
        List<Integer> receivedAtCommitPoint = new ArrayList<>();

        DeliveryResult result = delivery().deliver(report, target, detail -> {
            details.add(detail);
            receivedAtCommitPoint.add(received.size());
            return true;
        });

        assertThat(result).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(onlyRequest().body()).isEqualTo(report.gzip());
        assertThat(details).containsExactly("POST of report-id <" + report.reportId() + "> to " + target);
        assertThat(receivedAtCommitPoint).containsExactly(0);
    }

    @Test
    void refusedCommitPointFailsThePostBeforeTheLastByte() throws Exception {
        URI target = start(ca.issue("localhost").serverContext(), 200);

        DeliveryResult result = delivery().deliver(report, target, detail -> false);

        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).contains("no longer holds this attempt's claim");
        assertThat(delivery().deliver(report, target, PASS)).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(onlyRequest().body()).as("only the second POST reached the handler whole")
                .isEqualTo(report.gzip());
    }

    @Test
    void serverErrorIsRetryableWithTheStatus() throws Exception {
        URI target = start(ca.issue("localhost").serverContext(), 500);
        DeliveryResult result = delivery().deliver(report, target, PASS);
        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).contains("HTTP 500").contains(target.toString());
        assertThat(onlyRequest().method()).isEqualTo("POST");
    }

    @Test
    void redirectIsNotFollowedAndRetried() throws Exception {
        URI target = start(ca.issue("localhost").serverContext(), 307);
        DeliveryResult result = delivery().deliver(report, target, PASS);
        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).contains("HTTP 307");
        onlyRequest();
    }

    @Test
    void untrustedCertificateIsRetryableAndNothingIsPosted() throws Exception {
        URI target = start(TestCa.selfSigned("localhost").serverContext(), 200);
        DeliveryResult result = delivery().deliver(report, target, PASS);
        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).contains("POST to " + target + " failed");
        assertThat(received).isEmpty();
    }

    @Test
    void refusedConnectionIsRetryable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        DeliveryResult result = delivery().deliver(report, URI.create("https://localhost:" + closedPort + "/"), PASS);
        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).contains("ConnectException");
    }

    @Test
    void nonHttpsTargetIsPermanent() {
        DeliveryResult result = delivery().deliver(report, URI.create("http://localhost/"), PASS);
        assertThat(result).isInstanceOf(DeliveryResult.PermanentFailure.class);
    }
}
