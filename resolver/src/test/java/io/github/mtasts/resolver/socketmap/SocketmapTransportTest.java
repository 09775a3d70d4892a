package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.config.SocketmapConfig;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SocketmapTransportTest {

    @Test
    void autoSelectsThePreferredTransport() {
        assertThat(SocketmapTransport.select(SocketmapConfig.Transport.AUTO)).isEqualTo(SocketmapTransport.preferred());
    }

    @Test
    void autoRunsAUnixSocketOnEpollWhereAvailableSoHalfClosedClientsGetTheirAnswers() {
        assertThat(SocketmapTransport.preferredForUnix(EnumSet.allOf(SocketmapTransport.class)::contains))
                .isEqualTo(SocketmapTransport.EPOLL);
        assertThat(SocketmapTransport.preferredForUnix(EnumSet.of(SocketmapTransport.IO_URING,
                SocketmapTransport.NIO)::contains)).isEqualTo(SocketmapTransport.IO_URING);
        assertThat(SocketmapTransport.preferredForUnix(EnumSet.of(SocketmapTransport.NIO)::contains))
                .isEqualTo(SocketmapTransport.NIO);
        assertThat(SocketmapTransport.select(SocketmapConfig.Transport.AUTO, true)
                .keepsHalfClosedConnectionsOpen(true)).isEqualTo(SocketmapTransport.EPOLL.isAvailable());
    }

    @Test
    void preferredIsTheFirstAvailableOfIoUringEpollNio() {
        assertThat(preferredWith(EnumSet.allOf(SocketmapTransport.class))).isEqualTo(SocketmapTransport.IO_URING);
        assertThat(preferredWith(EnumSet.of(SocketmapTransport.EPOLL, SocketmapTransport.NIO)))
                .isEqualTo(SocketmapTransport.EPOLL);
        assertThat(preferredWith(EnumSet.of(SocketmapTransport.IO_URING, SocketmapTransport.NIO)))
                .isEqualTo(SocketmapTransport.IO_URING);
        assertThat(preferredWith(EnumSet.of(SocketmapTransport.NIO))).isEqualTo(SocketmapTransport.NIO);
    }

    @Test
    void preferredOnThisSystemIsAvailableHere() {
        assertThat(SocketmapTransport.preferred().isAvailable()).isTrue();
        assertThat(SocketmapTransport.NIO.isAvailable()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(SocketmapTransport.class)
    void namedTransportIsSelectedAsItselfOrRefusedNamingTheKey(SocketmapTransport transport) {
        SocketmapConfig.Transport configured = SocketmapConfig.Transport.fromConfigName(transport.configName())
                .orElseThrow();

        if (transport.isAvailable()) {
            assertThat(SocketmapTransport.select(configured)).isEqualTo(transport);
        } else {
            assertThatThrownBy(() -> SocketmapTransport.select(configured))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("socketmap.transport: " + transport.configName()
                            + " is not available on this system: ");
        }
    }

    @Test
    void ioUringTakesOneEventLoopPerTwoCpusTheOthersOnePerCpu() {
        assertThat(SocketmapTransport.IO_URING.eventLoops(1)).isEqualTo(1);
        assertThat(SocketmapTransport.IO_URING.eventLoops(2)).isEqualTo(1);
        assertThat(SocketmapTransport.IO_URING.eventLoops(3)).isEqualTo(1);
        assertThat(SocketmapTransport.IO_URING.eventLoops(16)).isEqualTo(8);
        assertThat(SocketmapTransport.EPOLL.eventLoops(2)).isEqualTo(2);
        assertThat(SocketmapTransport.NIO.eventLoops(1)).isEqualTo(1);
        assertThat(SocketmapTransport.NIO.eventLoops(16)).isEqualTo(16);
    }

    private static SocketmapTransport preferredWith(Set<SocketmapTransport> available) {
        return SocketmapTransport.preferredAmong(available::contains);
    }
}
