package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DkimSettingsTest {

    @Test
    void dkimDomainAndSelectorMustBeDnsNames() {
        Path key = Path.of("dkim.pem");
        assertThat(new DkimSettings("Mail.Example.NET", "sel-2026.a", key).domain()).isEqualTo("mail.example.net");
        assertThatThrownBy(() -> new DkimSettings("example", "sel", key)).hasMessageContaining("DKIM domain \"example\"");
        assertThatThrownBy(() -> new DkimSettings("example.net", "sel_1", key))
                .hasMessageContaining("DKIM selector \"sel_1\"");
    }
}
