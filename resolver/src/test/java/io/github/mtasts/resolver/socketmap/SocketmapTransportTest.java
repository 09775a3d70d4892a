package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.SocketmapConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SocketmapTransportTest {

    @Test
    void autoSelectsThePreferredTransport() {
        assertThat(SocketmapTransport.select(SocketmapConfig.Transport.AUTO)).isEqualTo(SocketmapTransport.preferred());
    }

    @Test
    void preferredIsIoUringWhereTheKernelOffersIt() {
        // the machines running these tests have Linux with io_uring enabled
        assertThat(SocketmapTransport.preferred()).isEqualTo(SocketmapTransport.IO_URING);
    }

    @ParameterizedTest
    @EnumSource(SocketmapTransport.class)
    void namedTransportIsSelectedAsItselfWhereItRuns(SocketmapTransport transport) {
        // io_uring too: the machines running these tests have a kernel with io_uring enabled
        assertThat(transport.unavailabilityCause()).isEmpty();
        SocketmapConfig.Transport configured = SocketmapConfig.Transport.fromConfigName(transport.configName())
                .orElseThrow();

        assertThat(SocketmapTransport.select(configured)).isEqualTo(transport);
    }
}
