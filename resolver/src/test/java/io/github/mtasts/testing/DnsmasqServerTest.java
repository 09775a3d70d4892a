package io.github.mtasts.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The DNS fixture itself: the record kinds other modules' tests rely on. */
class DnsmasqServerTest {

    static Message ask(DnsmasqServer dns, String name, int type) throws Exception {
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setTimeout(Duration.ofSeconds(5));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, 1)));
    }

    @Test
    void servesMxAndHostRecordsWithNodataForTheOtherAddressFamily() throws Exception {
        try (DnsmasqServer dns = DnsmasqServer.builder()
                .mx("mail.test", "mx1.mail.test", 10)
                .host("mx1.mail.test", "127.0.0.25")
                .start()) {
            Message mx = ask(dns, "mail.test", Type.MX);
            assertThat(mx.getSection(Section.ANSWER)).singleElement()
                    .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("10 mx1.mail.test."));
            Message a = ask(dns, "mx1.mail.test", Type.A);
            assertThat(a.getSection(Section.ANSWER)).singleElement()
                    .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("127.0.0.25"));
            Message aaaa = ask(dns, "mx1.mail.test", Type.AAAA);
            assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(aaaa.getSection(Section.ANSWER)).isEmpty();
        }
    }

    @Test
    void unknownNameInLocalDomainIsNxdomain() throws Exception {
        try (DnsmasqServer dns = DnsmasqServer.builder().localDomain("example").start()) {
            assertThat(ask(dns, "nothing.test", Type.TXT).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(ask(dns, "nothing.example", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }
}
