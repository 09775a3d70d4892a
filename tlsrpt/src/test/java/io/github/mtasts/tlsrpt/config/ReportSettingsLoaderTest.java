package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.delivery.StartTls;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportSettingsLoaderTest {
    private static final String REQUIRED = """
            tlsrpt:
              report:
                organization_name: Example Inc.
                contact_info: tlsrpt@example.net
                submitter_domain: Mail.Example.NET
                from: tlsrpt-noreply@example.net
            """;

    private static ReportSettings parse(String yaml) throws ConfigException {
        return report(yaml).orElseThrow();
    }

    /** The settings as the commands get them: read by the one parse of the {@code tlsrpt:} section. */
    private static Optional<ReportSettings> report(String yaml) throws ConfigException {
        return TlsrptConfigLoader.parse(ConfigDocument.parse("mtasts.yml", yaml)).report();
    }

    @Test
    void noReportSectionIsEmpty() throws ConfigException {
        assertThat(report("tlsrpt:\n  log_timezone: UTC\n")).isEmpty();
        assertThat(report("cache: {type: internal}\n")).isEmpty();
    }

    @Test
    void requiredKeysAloneGiveTheDefaults() throws ConfigException {
        ReportSettings settings = parse(REQUIRED);

        assertThat(settings.reporter().submitterDomain()).isEqualTo("mail.example.net");
        assertThat(settings.mail().relayHost()).isEqualTo("localhost");
        assertThat(settings.mail().relayPort()).isEqualTo(25);
        assertThat(settings.mail().startTls()).isEqualTo(StartTls.OFF);
        assertThat(settings.mail().timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.mail().dkim()).isNull();
        assertThat(settings.deliveryWindow()).isEqualTo(Duration.ofHours(4));
        assertThat(settings.retry().maxAttempts()).isEqualTo(10);
        assertThat(settings.retry().maxAge()).isEqualTo(Duration.ofDays(2));
        assertThat(settings.retentionDays()).isEqualTo(14);
        assertThat(settings.lateLinesDelay()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.onlyFailures()).isFalse();
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        ReportSettings settings = parse(REQUIRED + """
                    relay: {host: smtp.example.net, port: 587, starttls: required, username: u, password: p,
                            timeout: 20}
                    dkim: {domain: example.net, selector: tlsrpt, key_file: /etc/mtasts/dkim.key}
                    https_timeout: 30
                    delivery_window: 600
                    max_attempts: 4
                    max_age: 60
                    retention_days: 3
                    late_lines_delay: 0
                    only_failures: true
                """);

        assertThat(settings.mail().relayHost()).isEqualTo("smtp.example.net");
        assertThat(settings.mail().relayPort()).isEqualTo(587);
        assertThat(settings.mail().startTls()).isEqualTo(StartTls.REQUIRED);
        assertThat(settings.mail().username()).isEqualTo("u");
        assertThat(settings.mail().timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.lease()).as("six relay timeouts: an SMTP transaction's phases").isEqualTo(
                Duration.ofSeconds(180));
        assertThat(settings.mail().dkim().keyFile()).isEqualTo(Path.of("/etc/mtasts/dkim.key"));
        assertThat(settings.httpsTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.deliveryWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.retry().maxAttempts()).isEqualTo(4);
        assertThat(settings.retry().maxAge()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.retry().firstDelay()).as("capped by max_age").isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.retentionDays()).isEqualTo(3);
        assertThat(settings.lateLinesDelay()).isZero();
        assertThat(settings.onlyFailures()).isTrue();
    }

    @Test
    void errorsNameTheFileAndTheKey() {
        assertThatThrownBy(() -> parse(REQUIRED.replace("    from: tlsrpt-noreply@example.net\n", "")))
                .hasMessage("mtasts.yml: tlsrpt.report.from: required");
        assertThatThrownBy(() -> parse(REQUIRED + "    colour: blue\n"))
                .hasMessageStartingWith("mtasts.yml: tlsrpt.report.colour: unknown key");
        assertThatThrownBy(() -> parse(REQUIRED + "    relay: {starttls: maybe}\n"))
                .hasMessage("mtasts.yml: tlsrpt.report.relay.starttls: expected off, opportunistic or required, "
                        + "got \"maybe\"");
        assertThatThrownBy(() -> parse(REQUIRED + "    retention_days: 1\n"))
                .hasMessage("mtasts.yml: tlsrpt.report.retention_days: expected an integer from 2 to 3660, got 1");
        assertThatThrownBy(() -> parse(REQUIRED + "    only_failures: sometimes\n"))
                .hasMessageStartingWith("mtasts.yml: tlsrpt.report.only_failures: expected true or false");
        assertThatThrownBy(() -> parse(REQUIRED + "    dkim: {domain: example.net, selector: tlsrpt}\n"))
                .hasMessage("mtasts.yml: tlsrpt.report.dkim.key_file: required");
        assertThatThrownBy(() -> parse(REQUIRED + "    relay: {username: u}\n"))
                .hasMessageStartingWith("mtasts.yml: tlsrpt.report.relay: SMTP authentication needs both");
    }
}
