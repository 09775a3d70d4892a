package io.github.mtasts.resolver.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.testing.DnssecWorld;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Type;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class DnssecLookupTest {

    DnssecWorld world;
    DnssecLookup lookup;

    @BeforeAll
    void startWorld() throws Exception {
        world = DnssecWorld.start();
        lookup = DnssecLookup.trustingResolver(List.of(world.resolver()), Duration.ofSeconds(3));
    }

    @AfterAll
    void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    DnssecAnswer query(String name, int type) throws Exception {
        return lookup.query(name, type).get(20, TimeUnit.SECONDS);
    }

    @Test
    void adBitMakesAnAnswerSecure() throws Exception {
        DnssecAnswer answer = query("_25._tcp.mx-usable.signed.test", Type.TLSA);
        assertThat(answer.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(answer.outcome()).isEqualTo(DnssecAnswer.Outcome.FOUND);
        assertThat(answer.records()).hasSize(1);
    }

    @Test
    void provenAbsenceIsASecureDenialCachedBySoaMinimum() throws Exception {
        DnssecAnswer answer = query("_25._tcp.mx-denied.signed.test", Type.TLSA);
        assertThat(answer.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(answer.outcome()).isEqualTo(DnssecAnswer.Outcome.NXDOMAIN);
        assertThat(answer.ttl()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(60));
        DnssecAnswer nodata = query("mx-denied.signed.test", Type.AAAA);
        assertThat(nodata.status()).isEqualTo(DnssecStatus.SECURE);
        assertThat(nodata.outcome()).isEqualTo(DnssecAnswer.Outcome.NODATA);
    }

    @Test
    void unsignedAndBogusAnswers() throws Exception {
        DnssecAnswer plain = query("_25._tcp.mx.plain.test", Type.TLSA);
        assertThat(plain.status()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(plain.outcome()).isEqualTo(DnssecAnswer.Outcome.FOUND);
        DnssecAnswer bogus = query("_25._tcp.mx.bogus.test", Type.TLSA);
        assertThat(bogus.status()).isEqualTo(DnssecStatus.INDETERMINATE);
        assertThat(bogus.outcome()).isEqualTo(DnssecAnswer.Outcome.FAILED);
        assertThat(bogus.detail()).contains("SERVFAIL");
    }

    @Test
    void aResolverOffLoopbackIsNotTrusted() {
        assertThatThrownBy(() -> DnssecLookup.trustingResolver(
                List.of(world.resolver(), new InetSocketAddress("192.0.2.53", 53)), Duration.ofSeconds(1)))
                .isInstanceOf(UntrustedResolverException.class)
                .hasMessageContaining("192.0.2.53").hasMessageContaining("not on loopback");
    }
}
