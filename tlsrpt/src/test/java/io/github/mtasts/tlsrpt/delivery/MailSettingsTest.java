package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MailSettingsTest {

    private static MailSettings with(String host, int port, String user, String password, String from, Duration timeout) {
        return new MailSettings(host, port, StartTls.OFF, user, password, from, null, timeout, null);
    }

    @Test
    void fromAddressKeepsTheDisplayName() {
        MailSettings settings = with("localhost", 25, null, null, "TLS reports <tlsrpt@example.net>", Duration.ofSeconds(1));
        assertThat(settings.fromAddress().getAddress()).isEqualTo("tlsrpt@example.net");
        assertThat(settings.fromAddress().getPersonal()).isEqualTo("TLS reports");
    }

    @Test
    void invalidValuesAreRefusedNamingTheSetting() {
        Duration second = Duration.ofSeconds(1);
        assertThatThrownBy(() -> with(" ", 25, null, null, "a@example.net", second)).hasMessageContaining("relay host");
        assertThatThrownBy(() -> with("localhost", 0, null, null, "a@example.net", second))
                .hasMessageContaining("relay port must be 1..65535, got 0");
        assertThatThrownBy(() -> with("localhost", 25, "user", null, "a@example.net", second))
                .hasMessageContaining("both a username and a password");
        assertThatThrownBy(() -> with("localhost", 25, null, null, "no at sign here", second))
                .hasMessageContaining("from address \"no at sign here\" is invalid");
        assertThatThrownBy(() -> with("localhost", 25, null, null, "a@example.net", Duration.ZERO))
                .hasMessageContaining("timeout must be positive");
    }
}
