package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.DClass;

/**
 * The DNSSEC part of the world, checked with Postfix's own DANE (a global {@code smtp_tls_security_level = dane},
 * no socketmap): the validating resolver's answers, and what a DANE sender does with each DANE domain. Our daemon
 * plays no part, so a failure here is the world's, not the daemon's.
 */
@ExtendWith(MailWorldExtension.class)
class DaneWorldTest {

    private static MailWorld world;
    private static SendingPostfix daneSender;
    private static SendingPostfix daneOnlySender;
    private static final Map<String, String> RECIPIENTS = new LinkedHashMap<>();
    private static final Map<String, String> DANE_ONLY_RECIPIENTS = new LinkedHashMap<>();

    @BeforeAll
    static void sendToEveryDaneDomain(MailWorld mailWorld) {
        world = mailWorld;
        daneSender = world.newDaneSender("", Map.of("smtp_tls_security_level", "dane"));
        for (DaneDomain domain : TestZone.DANE_DOMAINS) {
            String recipient = SendingPostfix.uniqueRecipient(domain.name());
            RECIPIENTS.put(domain.name(), recipient);
            daneSender.send(recipient);
        }
        daneOnlySender = world.newDaneSender("", Map.of("smtp_tls_security_level", "dane-only"));
        for (String domain : List.of("sts.dane.test", "good.test", "ee.dane.test")) {
            String recipient = SendingPostfix.uniqueRecipient(domain);
            DANE_ONLY_RECIPIENTS.put(domain, recipient);
            daneOnlySender.send(recipient);
        }
    }

    @AfterAll
    static void stopSender() {
        if (daneSender != null) {
            daneSender.close();
        }
        if (daneOnlySender != null) {
            daneOnlySender.close();
        }
    }

    private static Message query(String name, int type) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(world.dnsAddress(), 53));
        resolver.setEDNS(0, 1232, Flags.DO, List.of());
        resolver.setTimeout(Duration.ofSeconds(10));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN)));
    }

    @Test
    void signedZoneAnswersAreAuthenticatedAndCarryTheMxKeyDigest() throws Exception {
        Message answer = query("_25._tcp.mx.ee.dane.test", Type.TLSA);

        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getHeader().getFlag(Flags.AD)).as(answer.toString()).isTrue();
        List<Record> tlsa = answer.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.TLSA).toList();
        assertThat(tlsa).hasSize(1);
        TLSARecord record = (TLSARecord) tlsa.get(0);
        assertThat(List.of(record.getCertificateUsage(), record.getSelector(), record.getMatchingType()))
                .containsExactly(3, 1, 1);
        assertThat(query("ee.dane.test", Type.MX).getHeader().getFlag(Flags.AD)).isTrue();
    }

    @Test
    void bogusTlsaIsServfailWhileTheRestOfItsZoneIsSecure() throws Exception {
        assertThat(query("_25._tcp.mx.tlsa.bogus.test", Type.TLSA).getRcode()).isEqualTo(Rcode.SERVFAIL);
        Message mx = query("tlsa.bogus.test", Type.MX);
        assertThat(mx.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(mx.getHeader().getFlag(Flags.AD)).isTrue();
    }

    @Test
    void unsignedZoneAndTheDnsmasqZoneAreInsecure() throws Exception {
        Message tlsa = query("_25._tcp.mx.sts.unsigned.test", Type.TLSA);
        assertThat(tlsa.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(tlsa.getSection(Section.ANSWER)).isNotEmpty();
        assertThat(tlsa.getHeader().getFlag(Flags.AD)).isFalse();
        Message mx = query("good.test", Type.MX);
        assertThat(mx.getSection(Section.ANSWER)).isNotEmpty();
        assertThat(mx.getHeader().getFlag(Flags.AD)).isFalse();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ee.dane.test         | sent     | Verified TLS connection established to mx.ee.dane.test[127.0.1.33]:25
            mismatch.dane.test   | deferred | num=65:no matching DANE TLSA records
            selfsigned.dane.test | sent     | Verified TLS connection established to mx.selfsigned.dane.test[127.0.1.35]:25
            sts.dane.test        | sent     | Trusted TLS connection established to mx.sts.dane.test[127.0.1.36]:25
            ta.dane.test         | sent     | Verified TLS connection established to mx.ta.dane.test[127.0.1.37]:25
            expired.dane.test    | sent     | Verified TLS connection established to mx.expired.dane.test[127.0.1.38]:25
            sts.unsigned.test    | sent     | Trusted TLS connection established to mx.sts.unsigned.test[127.0.1.39]:25
            tlsa.bogus.test      | deferred | TLSA lookup error for mx.tlsa.bogus.test:25
            nostarttls.dane.test | deferred | TLS is required, but was not offered by host mx.nostarttls.dane.test[127.0.1.41]
            """)
    void postfixOwnDaneTreatsEachDomainAsRfc7672Says(String domain, String status, String logged) {
        Delivery delivery = daneSender.awaitFirstAttempt(RECIPIENTS.get(domain));

        assertThat(delivery.status()).as(delivery.toString()).isEqualTo(status);
        assertThat(delivery.logged(logged)).as(delivery.toString()).isTrue();
        if (delivery.sent()) {
            world.awaitInMailbox(delivery.recipient());
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            sts.dane.test | deferred | TLS policy lookup for sts.dane.test/mx.sts.dane.test: no TLSA records found
            good.test     | deferred | TLS policy lookup for good.test/mx.good.test: non DNSSEC destination
            ee.dane.test  | sent     | Verified TLS connection established to mx.ee.dane.test[127.0.1.33]:25
            """)
    void daneOnlyDefersWhereNoValidatedTlsaRecordExists(String domain, String status, String logged) {
        Delivery delivery = daneOnlySender.awaitFirstAttempt(DANE_ONLY_RECIPIENTS.get(domain));

        assertThat(delivery.status()).as(delivery.toString()).isEqualTo(status);
        assertThat(daneOnlySender.log()).as(delivery.toString()).anyMatch(line -> line.contains(logged));
    }
}
