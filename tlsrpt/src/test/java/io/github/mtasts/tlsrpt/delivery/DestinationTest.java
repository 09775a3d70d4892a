package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.tlsrpt.delivery.Destination.HttpsEndpoint;
import io.github.mtasts.tlsrpt.delivery.Destination.MailRecipient;
import io.github.mtasts.resolver.policy.TlsRptRecord;
import java.net.URI;
import org.junit.jupiter.api.Test;

class DestinationTest {

    @Test
    void everyRecipientAndEndpointIsOneDestinationInRecordOrder() throws Exception {
        TlsRptRecord record = TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.com,"
                + "https://r.example.net/in,mailto:c@example.org");
        assertThat(Destination.allOf(record)).containsExactly(new MailRecipient("a@example.com"),
                new MailRecipient("b@example.com"), new HttpsEndpoint(URI.create("https://r.example.net/in")),
                new MailRecipient("c@example.org"));
    }

    @Test
    void aDestinationNamedTwiceIsDeliveredOnce() throws Exception {
        TlsRptRecord record = TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@example.com,mailto:A@Example.com,"
                + "https://r.example.net/in,https://r.example.net/in");
        assertThat(Destination.allOf(record)).containsExactly(new MailRecipient("a@example.com"),
                new HttpsEndpoint(URI.create("https://r.example.net/in")));
    }

    @Test
    void keysNameTheSchemeSoMailAndHttpsNeverCollide() {
        assertThat(new MailRecipient("a@example.com").key()).isEqualTo("mailto:a@example.com");
        assertThat(new HttpsEndpoint(URI.create("https://r.example.net/in")).key()).isEqualTo("https://r.example.net/in");
    }
}
