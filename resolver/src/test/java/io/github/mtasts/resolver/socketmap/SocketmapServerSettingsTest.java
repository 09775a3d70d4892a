package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SocketmapServerSettingsTest {

    @Test
    void defaultsMatchThePythonDaemon() {
        SocketmapServerSettings defaults = SocketmapServerSettings.defaults();
        assertThat(defaults.host()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isEqualTo(8461);
        assertThat(defaults.path()).isEmpty();
        assertThat(defaults.mode()).isEmpty();
        assertThat(defaults.reusePort()).isTrue();
    }

    @Test
    void defaultLimitsAreGenerousForPostfix() {
        SocketmapServerSettings defaults = SocketmapServerSettings.defaults();
        assertThat(defaults.maxRequestLength()).isEqualTo(4096);
        assertThat(defaults.maxConnections()).isEqualTo(1024);
        assertThat(defaults.idleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(defaults.answerDeadline()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void unixSettingsCarryPathAndMode() {
        SocketmapServerSettings unix = SocketmapServerSettings.unix(Path.of("/run/mtasts.sock"), OptionalInt.of(0666));
        assertThat(unix.path()).contains(Path.of("/run/mtasts.sock"));
        assertThat(unix.mode()).hasValue(438);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0666", "666", "0o666", " 0666 "})
    void modeIsReadAsOctal(String written) {
        assertThat(SocketmapServerSettings.parseMode(written)).isEqualTo(0666);
    }

    @Test
    void modeZeroIsAllowed() {
        assertThat(SocketmapServerSettings.parseMode("0")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0668", "rw-rw-rw-", "-666", "0x1b6", "01777", "06666"})
    void modeThatIsNotOctalPermissionBitsIsRejectedNamingTheKey(String written) {
        assertThatThrownBy(() -> SocketmapServerSettings.parseMode(written))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("mode: ");
    }

    @Test
    void modeWithBitsBeyondPermissionsIsRejected() {
        assertThatThrownBy(() -> SocketmapServerSettings.unix(Path.of("/s"), OptionalInt.of(04755)))
                .hasMessage("mode: must be permission bits up to 0777, got 04755");
    }

    @Test
    void portOutOfRangeIsRejected() {
        assertThatThrownBy(() -> SocketmapServerSettings.tcp("127.0.0.1", 65536))
                .hasMessage("port: must be 0-65535, got 65536");
    }

    @Test
    void emptyHostIsRejected() {
        assertThatThrownBy(() -> SocketmapServerSettings.tcp(" ", 8461)).hasMessageStartingWith("host: ");
    }

    @Test
    void nonPositiveLimitsAreRejected() {
        SocketmapServerSettings defaults = SocketmapServerSettings.defaults();
        assertThatThrownBy(() -> defaults.withMaxRequestLength(0)).hasMessageStartingWith("max request length: ");
        assertThatThrownBy(() -> defaults.withMaxConnections(0)).hasMessageStartingWith("max connections: ");
        assertThatThrownBy(() -> defaults.withIdleTimeout(Duration.ZERO)).hasMessageStartingWith("idle timeout: ");
        assertThatThrownBy(() -> defaults.withAnswerDeadline(Duration.ofSeconds(-1)))
                .hasMessageStartingWith("answer deadline: ");
        assertThatThrownBy(() -> defaults.withRequestTimeout(Duration.ZERO))
                .hasMessageStartingWith("request timeout: ");
    }

    @Test
    void withersChangeOnlyTheirField() {
        SocketmapServerSettings changed = SocketmapServerSettings.defaults().withMaxConnections(7);
        assertThat(changed).isEqualTo(new SocketmapServerSettings("127.0.0.1", 8461, Optional.empty(),
                OptionalInt.empty(), true, 4096, 7, Duration.ofSeconds(300), Duration.ofSeconds(5),
                Duration.ofSeconds(10)));
    }
}
