package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.github.mtasts.tlsrpt.report.AppliedPolicy;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.FailureDetail;
import io.github.mtasts.tlsrpt.report.PolicyResult;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.report.Rfc8460Json;
import io.github.mtasts.tlsrpt.report.Samples;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MailDeliveryTest {

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("reporter", "s3cret"));

    private static final String RECIPIENT = "tlsrpt@example.com";
    private static final CommitPoint PASS = detail -> true;
    private static final String SUBMITTER = "mail.example.net";
    /** RFC 8460 §5.3 tlsrpt-subject, with single spaces for FWS. */
    private static final String SUBJECT_ABNF = "Report Domain: [A-Za-z0-9.-]+ Submitter: [A-Za-z0-9.-]+ "
            + "Report-ID: <[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+>";

    @TempDir
    Path tmp;

    private static TlsRptReport report(String policyDomain) {
        ReporterSettings settings = new ReporterSettings("Example Mail", "tlsrpt@" + SUBMITTER, SUBMITTER);
        return new ReportBuilder(settings).build(new DailyReport(LocalDate.of(2026, 11, 28), policyDomain, List.of(
                new PolicyResult(AppliedPolicy.sts(List.of("version: STSv1", "mode: enforce", "mx: mx1." + policyDomain,
                        "max_age: 86400"), List.of("mx1." + policyDomain)), 40, 2,
                        List.of(new FailureDetail("certificate-expired", "192.0.2.10", "mx1." + policyDomain, null,
                                "198.51.100.7", 2, null, "X509_V_ERR_CERT_HAS_EXPIRED"))))));
    }

    private static MailSettings settings(int port, StartTls startTls, String user, String password, DkimSettings dkim) {
        return new MailSettings("127.0.0.1", port, startTls, user, password, "tlsrpt-noreply@" + SUBMITTER,
                "reporter.test", Duration.ofSeconds(20), dkim);
    }

    private static MailDelivery plain() {
        return new MailDelivery(settings(GREENMAIL.getSmtp().getPort(), StartTls.OFF, null, null, null),
                Clock.systemUTC());
    }

    private static MimeMessage onlyReceived() {
        assertThat(GREENMAIL.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage[] received = GREENMAIL.getReceivedMessages();
        assertThat(received).hasSize(1);
        return received[0];
    }

    private static byte[] raw(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static String header(MimeMessage message, String name) throws Exception {
        String[] values = message.getHeader(name);
        assertThat(values).as(name).hasSize(1);
        return values[0];
    }

    private static byte[] gunzip(InputStream gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(gz)) {
            return in.readAllBytes();
        }
    }

    @Test
    void commitPointIsReachedWithTheMessageIdAndRelayBeforeTheRelayHasTheMail() throws Exception {
        List<String> details = new ArrayList<>();
        List<Integer> receivedAtCommitPoint = new ArrayList<>();

        DeliveryResult result = plain().deliver(report("example.com"), RECIPIENT, detail -> {
            details.add(detail);
            receivedAtCommitPoint.add(GREENMAIL.getReceivedMessages().length);
            return true;
        });

        assertThat(result).isInstanceOf(DeliveryResult.Delivered.class);
        MimeMessage mail = onlyReceived();
        assertThat(details).containsExactly("Message-ID " + mail.getMessageID() + " via relay 127.0.0.1:"
                + GREENMAIL.getSmtp().getPort());
        assertThat(receivedAtCommitPoint).containsExactly(0);
    }

    @Test
    void refusedOrFailingCommitPointStopsBeforeTheFinalDot() throws Exception {
        DeliveryResult refused = plain().deliver(report("example.com"), RECIPIENT, detail -> false);
        DeliveryResult failing = plain().deliver(report("example.com"), RECIPIENT, detail -> {
            throw new IllegalStateException("database is locked");
        });

        assertThat(refused).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(refused.detail()).contains("no longer holds this attempt's claim");
        assertThat(failing).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(failing.detail()).contains("database is locked");
        assertThat(plain().deliver(report("example.org"), RECIPIENT, PASS))
                .isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(onlyReceived().getHeader("TLS-Report-Domain")).containsExactly("example.org");
    }

    @Test
    void reportMailHasEveryRfc8460Header() throws Exception {
        TlsRptReport report = report("example.com");
        DeliveryResult result = plain().deliver(report, RECIPIENT, PASS);

        assertThat(result).isInstanceOf(DeliveryResult.Delivered.class);
        MimeMessage mail = onlyReceived();
        assertThat(header(mail, "From")).isEqualTo("tlsrpt-noreply@mail.example.net");
        assertThat(header(mail, "To")).isEqualTo(RECIPIENT);
        assertThat(mail.getSubject()).isEqualTo("Report Domain: example.com Submitter: mail.example.net "
                + "Report-ID: <2026-11-28_example.com@mail.example.net>").matches(SUBJECT_ABNF);
        assertThat(header(mail, "TLS-Report-Domain")).isEqualTo("example.com");
        assertThat(header(mail, "TLS-Report-Submitter")).isEqualTo("mail.example.net");
        assertThat(header(mail, "TLS-Required")).isEqualTo("No");
        assertThat(header(mail, "Auto-Submitted")).isEqualTo("auto-generated");
        assertThat(header(mail, "MIME-Version")).isEqualTo("1.0");
        assertThat(header(mail, "Message-ID")).matches("<2026-11-28_example\\.com\\.[0-9a-f]{12}\\.tlsrpt@mail\\.example\\.net>");
        assertThat(mail.getSentDate()).isNotNull();
        assertThat(mail.getHeader("DKIM-Signature")).as("no signing configured").isNull();
    }

    @Test
    void reportMailIsMultipartReportWithTextAndGzippedJsonThatConforms() throws Exception {
        TlsRptReport report = report("example.com");
        plain().deliver(report, RECIPIENT, PASS);

        MimeMessage mail = onlyReceived();
        ContentType type = new ContentType(mail.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("tlsrpt");
        Multipart parts = (Multipart) mail.getContent();
        assertThat(parts.getCount()).isEqualTo(2);

        MimeBodyPart text = (MimeBodyPart) parts.getBodyPart(0);
        assertThat(new ContentType(text.getContentType()).getBaseType()).isEqualTo("text/plain");
        assertThat((String) text.getContent()).contains("aggregate TLS report").contains("mail.example.net")
                .contains("example.com").contains("2026-11-28");

        MimeBodyPart attachment = (MimeBodyPart) parts.getBodyPart(1);
        assertThat(new ContentType(attachment.getContentType()).getBaseType()).isEqualTo("application/tlsrpt+gzip");
        assertThat(new ContentType(attachment.getContentType()).getParameter("name")).isEqualTo(report.fileName());
        assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attachment.getFileName())
                .isEqualTo("mail.example.net!example.com!1795824000!1795910399!001.json.gz");
        assertThat(attachment.getEncoding()).isEqualTo("base64");

        byte[] json = gunzip(attachment.getInputStream());
        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(report.json());
        JsonNode tree = Rfc8460Json.parse(new String(json, StandardCharsets.UTF_8));
        assertThat(Rfc8460Json.schemaViolations(tree)).isEmpty();
        assertThat(Rfc8460Json.parsedmarcViolations(tree)).isEmpty();
        assertThat(tree.at("/policies/0/failure-details/0/sending-mta-ip").asText()).isEqualTo("192.0.2.10");
    }

    @Test
    void pythonsEmailParserFindsTheReportAsReportConsumersDo() throws Exception {
        TlsRptReport report = report("example.com");
        plain().deliver(report, RECIPIENT, PASS);

        PythonChecks.Verdict found = PythonChecks.runScript("tlsrpt-mail-check.py", raw(onlyReceived()));
        assertThat(found.verified()).as(found.output()).isTrue();
        JsonNode summary = Rfc8460Json.parse(found.output());
        assertThat(summary.path("content-type").asText()).isEqualTo("multipart/report");
        assertThat(summary.path("report-type").asText()).isEqualTo("tlsrpt");
        assertThat(summary.path("filename").asText()).isEqualTo(report.fileName());
        assertThat(summary.path("report-id").asText()).isEqualTo(report.reportId());
        assertThat(summary.path("policy-domains")).extracting(JsonNode::asText).containsExactly("example.com");
    }

    @Test
    void pythonsEmailParserReadsGooglesMailTheSameWay() throws Exception {
        PythonChecks.Verdict found = PythonChecks.runScript("tlsrpt-mail-check.py",
                Samples.read("google-cardinalhealth.eml").getBytes(StandardCharsets.UTF_8));
        assertThat(found.verified()).as(found.output()).isTrue();
        JsonNode summary = Rfc8460Json.parse(found.output());
        assertThat(summary.path("report-type").asText()).isEqualTo("tlsrpt");
        assertThat(summary.path("filename").asText()).isEqualTo("google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz");
        assertThat(summary.path("report-id").asText()).isEqualTo("2024-09-03T00:00:00Z_cardinalhealth.ca");
    }

    @Test
    void reportMailHasTheStructureOfGooglesReportMail() throws Exception {
        MimeMessage google = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(Samples.read("google-cardinalhealth.eml").getBytes(StandardCharsets.UTF_8)));
        plain().deliver(report("cardinalhealth.ca"), RECIPIENT, PASS);
        MimeMessage ours = onlyReceived();

        for (MimeMessage mail : List.of(google, ours)) {
            assertThat(mail.getSubject()).matches(SUBJECT_ABNF);
            assertThat(header(mail, "TLS-Report-Domain")).isEqualTo("cardinalhealth.ca");
            ContentType type = new ContentType(mail.getContentType());
            assertThat(type.getBaseType()).isEqualTo("multipart/report");
            assertThat(type.getParameter("report-type")).isEqualTo("tlsrpt");
            MimeMultipart parts = (MimeMultipart) mail.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(new ContentType(parts.getBodyPart(0).getContentType()).getBaseType()).isEqualTo("text/plain");
            MimeBodyPart attachment = (MimeBodyPart) parts.getBodyPart(1);
            assertThat(new ContentType(attachment.getContentType()).getBaseType()).isEqualTo("application/tlsrpt+gzip");
            assertThat(attachment.getFileName()).matches("[a-z0-9.-]+!cardinalhealth\\.ca!\\d+!\\d+!001\\.json\\.gz");
            JsonNode tree = Rfc8460Json.parse(new String(gunzip(attachment.getInputStream()), StandardCharsets.UTF_8));
            assertThat(Rfc8460Json.schemaViolations(tree)).isEmpty();
            assertThat(tree.at("/policies/0/policy/policy-domain").asText()).isEqualTo("cardinalhealth.ca");
        }
    }

    @Test
    void longFileNameStaysOneQuotedParameter() throws Exception {
        String domain = "a-rather-long-subdomain-name-for-testing.reports.example-organisation.co.uk";
        TlsRptReport report = report(domain);
        plain().deliver(report, RECIPIENT, PASS);

        MimeMessage mail = onlyReceived();
        String rawText = new String(raw(mail), StandardCharsets.US_ASCII);
        assertThat(rawText).doesNotContain("filename*").doesNotContain("name*");
        MimeBodyPart attachment = (MimeBodyPart) ((Multipart) mail.getContent()).getBodyPart(1);
        assertThat(attachment.getFileName()).isEqualTo(report.fileName());
        assertThat(rawText.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
    }

    @Test
    void fromWithADisplayNameKeepsItInTheHeaderAndUsesTheBareAddressAsEnvelopeSender() throws Exception {
        MailSettings named = new MailSettings("127.0.0.1", GREENMAIL.getSmtp().getPort(), StartTls.OFF, null, null,
                "TLS reports <tlsrpt-noreply@mail.example.net>", "reporter.test", Duration.ofSeconds(20), null);
        assertThat(new MailDelivery(named, Clock.systemUTC()).deliver(report("example.com"), RECIPIENT, PASS))
                .isInstanceOf(DeliveryResult.Delivered.class);
        MimeMessage mail = onlyReceived();
        assertThat(header(mail, "From")).isEqualTo("TLS reports <tlsrpt-noreply@mail.example.net>");
        assertThat(header(mail, "Return-Path")).isEqualTo("<tlsrpt-noreply@mail.example.net>");
    }

    @Test
    void redeliveryCarriesTheSameMessageIdAndAnotherRecipientAnother() throws Exception {
        TlsRptReport report = report("example.com");
        MailDelivery delivery = plain();
        delivery.deliver(report, RECIPIENT, PASS);
        delivery.deliver(report, RECIPIENT, PASS);
        delivery.deliver(report, "other@example.org", PASS);
        assertThat(GREENMAIL.waitForIncomingEmail(10_000, 3)).isTrue();
        MimeMessage[] received = GREENMAIL.getReceivedMessages();
        assertThat(received[0].getMessageID()).isEqualTo(received[1].getMessageID());
        assertThat(received[2].getMessageID()).isNotEqualTo(received[0].getMessageID());
    }

    @Test
    void rsaSignatureVerifiesWithDkimpyAndCoversTheReportHeaders() throws Exception {
        KeyPair keys = rsaKeys();
        Path keyFile = tmp.resolve("rsa.pem");
        writePkcs1Pem(keys, keyFile); // the form opendkim-genkey writes
        String record = "v=DKIM1; k=rsa; s=tlsrpt; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        MailDelivery delivery = new MailDelivery(settings(GREENMAIL.getSmtp().getPort(), StartTls.OFF, null, null,
                new DkimSettings(SUBMITTER, "tls2026", keyFile)), Clock.systemUTC());

        assertThat(delivery.deliver(report("example.com"), RECIPIENT, PASS)).isInstanceOf(DeliveryResult.Delivered.class);
        MimeMessage mail = onlyReceived();
        String signature = header(mail, "DKIM-Signature").replaceAll("\\s+", "");
        assertThat(signature).contains("a=rsa-sha256", "d=mail.example.net", "s=tls2026", "c=relaxed/relaxed")
                .doesNotContain(";l=");
        assertThat(signedHeaders(signature)).contains("from", "to", "subject", "date", "message-id",
                "tls-report-domain", "tls-report-submitter", "tls-required", "auto-submitted", "content-type");

        byte[] message = raw(mail);
        PythonChecks.Verdict verdict = PythonChecks.verify(message, "tls2026._domainkey.mail.example.net", record);
        assertThat(verdict.verified()).as(verdict.output()).isTrue();

        byte[] tampered = new String(message, StandardCharsets.ISO_8859_1)
                .replace("TLS-Report-Domain: example.com", "TLS-Report-Domain: example.org")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(tampered).isNotEqualTo(message);
        assertThat(PythonChecks.verify(tampered, "tls2026._domainkey.mail.example.net", record).verified())
                .as("a changed TLS-Report-Domain breaks the signature").isFalse();
    }

    @Test
    void ed25519KeyIsRefusedAtStartUpSinceTheLibrarysSignaturesWouldNotVerify() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path keyFile = tmp.resolve("ed25519.pem");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        MailSettings settings = settings(GREENMAIL.getSmtp().getPort(), StartTls.OFF, null, null,
                new DkimSettings(SUBMITTER, "ed2026", keyFile));

        assertThatThrownBy(() -> new MailDelivery(settings, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(keyFile.toString())
                .hasMessageContaining("Ed25519").hasMessageContaining("use an RSA key");
    }

    @Test
    void signatureWithAnotherKeyDoesNotVerify() throws Exception {
        Path keyFile = tmp.resolve("rsa.pem");
        writePkcs1Pem(rsaKeys(), keyFile);
        String otherRecord = "v=DKIM1; k=rsa; s=tlsrpt; p="
                + Base64.getEncoder().encodeToString(rsaKeys().getPublic().getEncoded());
        new MailDelivery(settings(GREENMAIL.getSmtp().getPort(), StartTls.OFF, null, null,
                new DkimSettings(SUBMITTER, "tls2026", keyFile)), Clock.systemUTC()).deliver(report("example.com"), RECIPIENT, PASS);

        assertThat(PythonChecks.verify(raw(onlyReceived()), "tls2026._domainkey.mail.example.net", otherRecord).verified())
                .isFalse();
    }

    @Test
    void authenticatesWhenConfigured() throws Exception {
        MailDelivery delivery = new MailDelivery(settings(GREENMAIL.getSmtp().getPort(), StartTls.OFF, "reporter",
                "s3cret", null), Clock.systemUTC());
        assertThat(delivery.deliver(report("example.com"), RECIPIENT, PASS)).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(onlyReceived().getSubject()).contains("example.com");
    }

    @Test
    void wrongPasswordIsARetryableFailure() {
        MailDelivery delivery = new MailDelivery(settings(GREENMAIL.getSmtp().getPort(), StartTls.OFF, "reporter",
                "wrong", null), Clock.systemUTC());
        DeliveryResult result = delivery.deliver(report("example.com"), RECIPIENT, PASS);
        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).contains("authentication failed");
        assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void requiredStartTlsWithoutItOnTheRelayIsNotSentInTheClear() {
        MailDelivery delivery = new MailDelivery(settings(GREENMAIL.getSmtp().getPort(), StartTls.REQUIRED, null, null,
                null), Clock.systemUTC());
        DeliveryResult result = delivery.deliver(report("example.com"), RECIPIENT, PASS);
        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).containsIgnoringCase("STARTTLS");
        assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void opportunisticStartTlsFallsBackToPlainWhenNotOffered() throws Exception {
        MailDelivery delivery = new MailDelivery(settings(GREENMAIL.getSmtp().getPort(), StartTls.OPPORTUNISTIC, null,
                null, null), Clock.systemUTC());
        assertThat(delivery.deliver(report("example.com"), RECIPIENT, PASS)).isInstanceOf(DeliveryResult.Delivered.class);
        assertThat(onlyReceived().getSubject()).contains("example.com");
    }

    @Test
    void relayDownIsARetryableFailureNamingTheRelay() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DeliveryResult result = new MailDelivery(settings(closedPort, StartTls.OFF, null, null, null), Clock.systemUTC())
                .deliver(report("example.com"), RECIPIENT, PASS);
        assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
        assertThat(result.detail()).contains("127.0.0.1:" + closedPort);
    }

    @Test
    void recipientRefusedWith5xxIsPermanent() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer("550 5.1.1 <tlsrpt@example.com>: Recipient address rejected")) {
            DeliveryResult result = new MailDelivery(settings(relay.port(), StartTls.OFF, null, null, null),
                    Clock.systemUTC()).deliver(report("example.com"), RECIPIENT, PASS);
            assertThat(result).isInstanceOf(DeliveryResult.PermanentFailure.class);
            assertThat(result.detail()).contains("refused recipient tlsrpt@example.com").contains("550");
        }
    }

    @Test
    void recipientRefusedWith4xxIsRetryable() throws Exception {
        try (ScriptedSmtpServer relay = new ScriptedSmtpServer("450 4.2.0 <tlsrpt@example.com>: Greylisted")) {
            DeliveryResult result = new MailDelivery(settings(relay.port(), StartTls.OFF, null, null, null),
                    Clock.systemUTC()).deliver(report("example.com"), RECIPIENT, PASS);
            assertThat(result).isInstanceOf(DeliveryResult.RetryableFailure.class);
            assertThat(result.detail()).contains("Greylisted");
        }
    }

    @Test
    void invalidRecipientIsPermanentWithoutContactingTheRelay() {
        DeliveryResult result = plain().deliver(report("example.com"), "not an address", PASS);
        assertThat(result).isInstanceOf(DeliveryResult.PermanentFailure.class);
        assertThat(result.detail()).contains("recipient \"not an address\" is invalid");
    }

    private static KeyPair rsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static void writePkcs1Pem(KeyPair keys, Path file) throws IOException {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(keys.getPrivate());
        }
        assertThat(pem.toString()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Files.writeString(file, pem.toString());
    }

    private static List<String> signedHeaders(String signature) {
        for (String tag : signature.split(";")) {
            if (tag.startsWith("h=")) {
                return Arrays.stream(tag.substring(2).split(":")).map(String::toLowerCase).toList();
            }
        }
        throw new AssertionError("no h= tag in " + signature);
    }
}
