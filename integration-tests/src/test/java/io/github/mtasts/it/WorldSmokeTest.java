package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.directory.InitialDirContext;
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
