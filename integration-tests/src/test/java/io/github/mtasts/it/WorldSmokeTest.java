package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.directory.InitialDirContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proves the world without our daemon: a static Postfix TLS policy table instead of the socketmap, so a
 * failure here is the world's (DNS, certificates, MX listeners, sender), not the resolver's.
 */
@ExtendWith(MailWorldExtension.class)
class WorldSmokeTest {

    private static MailWorld world;
    private static String staticPolicies;

    @BeforeAll
    static void writeStaticPolicyTable(MailWorld mailWorld) throws IOException {
        world = mailWorld;
        Path table = world.newDirectory("static-policy").resolve("tls_policy");
        Files.createDirectories(table.getParent());
        Files.writeString(table, """
                good.test secure match=mx.good.test servername=hostname
                selfsigned.test secure match=mx.selfsigned.test servername=hostname
                nostarttls.test secure match=mx.nostarttls.test servername=hostname
                """);
        staticPolicies = "texthash:" + table;
    }

    @Test
    void secureDeliveryToTrustedMxIsVerifiedAndLandsInTheMailbox() {
        try (SendingPostfix sender = world.newSender(staticPolicies)) {
            String recipient = SendingPostfix.uniqueRecipient("good.test");
            Delivery delivery = sender.sendAndAwait(recipient);

            assertThat(delivery.sent()).as(delivery.toString()).isTrue();
            assertThat(delivery.relay()).isEqualTo("mx.good.test[127.0.1.1]:25");
            assertThat(delivery.logged("Verified TLS connection established to mx.good.test[127.0.1.1]:25"))
                    .as(delivery.toString()).isTrue();
            world.awaitInMailbox(recipient);
        }
    }

    @Test
    void secureDeliveryToSelfSignedMxIsDeferredAndNotDelivered() {
        try (SendingPostfix sender = world.newSender(staticPolicies)) {
            String recipient = SendingPostfix.uniqueRecipient("selfsigned.test");
            Delivery delivery = sender.sendAndAwait(recipient);

            assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
            assertThat(delivery.reason()).isEqualTo("Server certificate not verified");
            assertThat(delivery.logged("certificate verification failed for mx.selfsigned.test[127.0.1.2]:25: "
                    + "self-signed certificate")).as(delivery.toString()).isTrue();
            assertThat(world.inMailbox(recipient)).isFalse();
        }
    }

    @Test
    void secureDeliveryToMxWithoutStarttlsIsDeferred() {
        try (SendingPostfix sender = world.newSender(staticPolicies)) {
            String recipient = SendingPostfix.uniqueRecipient("nostarttls.test");
            Delivery delivery = sender.sendAndAwait(recipient);

            assertThat(delivery.deferred()).as(delivery.toString()).isTrue();
            assertThat(delivery.reason()).startsWith("TLS is required, but was not offered by host mx.nostarttls.test");
        }
    }

    @Test
    void domainWithoutStaticPolicyIsDeliveredOpportunisticallyDespiteSelfSignedMx() {
        try (SendingPostfix sender = world.newSender(staticPolicies)) {
            String recipient = SendingPostfix.uniqueRecipient("nopolicy.test");
            Delivery delivery = sender.sendAndAwait(recipient);

            assertThat(delivery.sent()).as(delivery.toString()).isTrue();
            assertThat(delivery.logged("Untrusted TLS connection established to mx.nopolicy.test")).isTrue();
            world.awaitInMailbox(recipient);
        }
    }

    @Test
    void testsRunInTheirOwnNamespaceWithOnlyLoopbackAndTheTestZoneAsResolver() throws IOException {
        assertThat(Commands.check("ip", "netns", "identify").stdout().strip())
                .isEqualTo(System.getenv("MTASTS_IT_NETNS"));
        List<String> links = Commands.check("ip", "-o", "link", "show").stdout().lines().toList();
        assertThat(links).hasSize(1);
        assertThat(links.get(0)).startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>");
        // `ip netns exec` put /etc/netns/<name>/resolv.conf in place, so Postfix and our daemon resolve the test zone
        assertThat(Files.readAllLines(Path.of("/etc/resolv.conf"))).first()
                .isEqualTo("nameserver " + world.dnsAddress());
        assertThat(Files.readString(Path.of("/etc/netns", System.getenv("MTASTS_IT_NETNS"), "resolv.conf")))
                .isEqualTo(Files.readString(Path.of("/etc/resolv.conf")));
        assertThat(InetAddress.getByName("mx.good.test").getHostAddress()).isEqualTo("127.0.1.1");
        assertThat(InetAddress.getByName("mta-sts.good.test").getHostAddress()).isEqualTo("127.0.2.1");
    }

    @Test
    void policyHostServesThePolicyOverHttpsAndAFetchfailHostIsRejected() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(world.clientContext())
                .connectTimeout(Duration.ofSeconds(10)).build();

        HttpResponse<String> policy = client.send(policyRequest("good.test"), HttpResponse.BodyHandlers.ofString());
        assertThat(policy.statusCode()).isEqualTo(200);
        assertThat(policy.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(policy.body()).isEqualTo("version: STSv1\nmode: enforce\nmx: mx.good.test\nmax_age: 86400\n");
        // fetchfail.test's policy host presents a self-signed certificate: scenario 6's failing fetch
        assertThatThrownBy(() -> client.send(policyRequest("fetchfail.test"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    private static HttpRequest policyRequest(String domain) {
        return HttpRequest.newBuilder(URI.create("https://mta-sts." + domain + PolicyServers.POLICY_PATH))
                .timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void zonePublishesStsAndTlsrptRecordsOnlyWhereConfigured() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", "dns://" + world.dnsAddress());
        InitialDirContext dns = new InitialDirContext(env);

        assertThat(dns.getAttributes("_mta-sts.good.test", new String[] {"TXT"}).get("TXT").get())
                .isEqualTo("\"v=STSv1; id=1;\"");
        assertThat(dns.getAttributes("_smtp._tls.good.test", new String[] {"TXT"}).get("TXT").get())
                .isEqualTo("\"v=TLSRPTv1; rua=mailto:tlsrpt@reports.test\"");
        assertThat(dns.getAttributes("good.test", new String[] {"MX"}).get("MX").get()).isEqualTo("10 mx.good.test.");
        assertThat(dns.getAttributes("mx.good.test", new String[] {"A"}).get("A").get()).isEqualTo("127.0.1.1");
        assertThat(dns.getAttributes("mta-sts.good.test", new String[] {"A"}).get("A").get()).isEqualTo("127.0.2.1");
        assertThatThrownBy(() -> dns.getAttributes("_mta-sts.nopolicy.test", new String[] {"TXT"}))
                .isInstanceOf(NameNotFoundException.class);
    }

    @Test
    void tlsrptReportAddressReceivesMailOverTrustedTls() {
        try (SendingPostfix sender = world.newSender(staticPolicies)) {
            String recipient = SendingPostfix.uniqueRecipient("reports.test");
            Delivery delivery = sender.sendAndAwait(recipient);

            assertThat(delivery.sent()).as(delivery.toString()).isTrue();
            assertThat(delivery.logged("Trusted TLS connection established to mx.reports.test[127.0.1.14]:25"))
                    .as(delivery.toString()).isTrue();
            world.awaitInMailbox(recipient);
        }
    }
}
