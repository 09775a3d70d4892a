package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.MetricsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsrptConfigLoaderTest {

    private static TlsrptConfig parse(String yaml) throws ConfigException {
        return TlsrptConfigLoader.parse(ConfigDocument.parse("mtasts.yml", yaml));
    }

    @Test
    void absentSectionGivesTheDefaults() throws ConfigException {
        assertThat(parse("port: 8461\n")).isEqualTo(TlsrptConfig.defaults());
        assertThat(parse("")).isEqualTo(TlsrptConfig.defaults());
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        TlsrptConfig config = parse("""
                cache: {type: sqlite, options: {filename: /tmp/x.db}}
                tlsrpt:
                  sending_mta_ips: [192.0.2.1, "2001:DB8::1"]
                  log_timezone: Europe/Berlin
                  sources: [/var/log/mail.log, /var/log/mail.log.1]
                  report_recipients_exclude: [TLSRPT@Example.com, "@reports.example"]
                  batch_lines: 50
                  batch_interval: 0.25
                  metrics: {enabled: true, host: 127.0.0.2, port: 9999}
                  host_name: mx1.example.net
                  store: {type: postgres, options: {dsn: "postgres://tlsrpt@db.example.net/mtasts", timeout: 2,
                          min_size: 1, max_size: 4}}
                  dane: on
                """);
        assertThat(config).isEqualTo(new TlsrptConfig(List.of("192.0.2.1", "2001:db8::1"), ZoneId.of("Europe/Berlin"),
                List.of(Path.of("/var/log/mail.log"), Path.of("/var/log/mail.log.1")), Optional.empty(),
                List.of("tlsrpt@example.com", "@reports.example"), 50, Duration.ofMillis(250),
                new MetricsConfig(true, "127.0.0.2", 9999), "mx1.example.net",
                Optional.of(new CacheConfig.Postgres("postgres://tlsrpt@db.example.net/mtasts", Duration.ofSeconds(2),
                        OptionalInt.of(1), OptionalInt.of(4))), Optional.empty(), DaneMode.ON));
    }

    @Test
    void daneIsOffByDefaultAndTakesOffOnOrAuto() throws ConfigException {
        assertThat(parse("tlsrpt: {}\n").dane()).isEqualTo(DaneMode.OFF);
        assertThat(parse("tlsrpt: {dane: \"on\"}\n").dane()).isEqualTo(DaneMode.ON);
        assertThat(parse("tlsrpt: {dane: off}\n").dane()).isEqualTo(DaneMode.OFF);
        assertThat(parse("tlsrpt: {dane: auto}\n").dane()).isEqualTo(DaneMode.AUTO);
        assertThatThrownBy(() -> parse("tlsrpt: {dane: sometimes}\n"))
                .hasMessageContaining("tlsrpt.dane: expected off, on or auto, got \"sometimes\"");
    }

    @Test
    void metricsAreOffOn9464UnlessConfiguredAndKeepDefaultsForOmittedKeys() throws ConfigException {
        assertThat(parse("tlsrpt: {}\n").metrics()).isEqualTo(new MetricsConfig(false, "127.0.0.1", 9464));
        assertThat(parse("tlsrpt:\n  metrics: {enabled: true}\n").metrics())
                .isEqualTo(new MetricsConfig(true, "127.0.0.1", 9464));
    }

    @Test
    void badMetricsKeysNameTheirPath() {
        assertThatThrownBy(() -> parse("tlsrpt:\n  metrics: {port: 70000}\n"))
                .hasMessageContaining("tlsrpt.metrics.port: expected a port from 0 to 65535, got 70000");
        assertThatThrownBy(() -> parse("tlsrpt:\n  metrics: {enabled: yes please}\n"))
                .hasMessageContaining("tlsrpt.metrics.enabled: expected true or false");
        assertThatThrownBy(() -> parse("tlsrpt:\n  metrics: {path: /m}\n"))
                .hasMessageContaining("tlsrpt.metrics.path: unknown key");
        assertThatThrownBy(() -> parse("tlsrpt:\n  metrics: on\n"))
                .hasMessageContaining("tlsrpt.metrics: expected a mapping");
    }

    @Test
    void hostNameDefaultsToTheMachinesAndStoreToNone() throws ConfigException {
        TlsrptConfig config = parse("tlsrpt:\n  batch_lines: 5\n");
        assertThat(config.hostName()).isEqualTo(TlsrptConfig.machineHostName()).isNotBlank();
        assertThat(config.store()).isEmpty();
    }

    @Test
    void sqliteStoreNamesItsFile() throws ConfigException {
        assertThat(parse("tlsrpt:\n  store: {type: sqlite, options: {filename: /var/lib/mtasts/tlsrpt.db}}\n").store())
                .contains(new CacheConfig.Sqlite(Path.of("/var/lib/mtasts/tlsrpt.db"), 1,
                        CacheConfig.DEFAULT_STORE_TIMEOUT));
    }

    @Test
    void badStoresAreNamedWithTheirKeyPath() {
        assertThatThrownBy(() -> parse("tlsrpt:\n  store: {type: redis, options: {url: redis://x}}\n"))
                .hasMessage("mtasts.yml: tlsrpt.store.type: expected sqlite or postgres, got \"redis\"");
        assertThatThrownBy(() -> parse("tlsrpt:\n  store: {type: postgres, options: {}}\n"))
                .hasMessage("mtasts.yml: tlsrpt.store.options.dsn: required: a non-empty string");
        assertThatThrownBy(() -> parse("tlsrpt:\n  store: {type: postgres, options: {dsn: \"db.example\"}}\n"))
                .hasMessage("mtasts.yml: tlsrpt.store.options.dsn: expected a postgres:// connection URI");
        assertThatThrownBy(() -> parse("tlsrpt:\n  store: {type: sqlite, options: {filename: /x, dsn: y}}\n"))
                .hasMessage("mtasts.yml: tlsrpt.store.options.dsn: unknown key for store type sqlite; expected one"
                        + " of filename, timeout");
        assertThatThrownBy(() -> parse("tlsrpt:\n  store: {type: sqlite}\n"))
                .hasMessage("mtasts.yml: tlsrpt.store.options: expected a mapping");
        assertThatThrownBy(() -> parse("tlsrpt:\n  host_name: \"mx 1\"\n"))
                .hasMessage("mtasts.yml: tlsrpt.host_name: expected a host name without white space, at most 253"
                        + " characters, got \"mx 1\"");
    }

    @Test
    void reportRecipientsMatchAddressesAndWholeDomainsIgnoringCase() throws ConfigException {
        TlsrptConfig config = parse("tlsrpt:\n  report_recipients_exclude: [tlsrpt@example.com, \"@reports.example\"]\n");
        assertThat(config.isReportRecipient("TLSRPT@example.com")).isTrue();
        assertThat(config.isReportRecipient("anyone@Reports.Example")).isTrue();
        assertThat(config.isReportRecipient("tlsrpt@other.example")).isFalse();
        assertThat(config.isReportRecipient("x@sub.reports.example")).isFalse();
        assertThat(config.isReportRecipient(null)).isFalse();
    }

    @Test
    void unknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> parse("tlsrpt:\n  source: [/var/log/mail.log]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("mtasts.yml: tlsrpt.source: unknown key; expected one of batch_interval, batch_lines, dane,"
                        + " host_name, log_timezone, metrics, report, report_recipients_exclude, sending_mta_ips,"
                        + " socket, socket_group, socket_mode, socket_owner, sources, store");
    }

    @Test
    void badValuesAreNamedWithTheirKeyPath() {
        assertThatThrownBy(() -> parse("tlsrpt:\n  sending_mta_ips: [mail.example.com]\n"))
                .hasMessage("mtasts.yml: tlsrpt.sending_mta_ips: expected IP addresses, got \"mail.example.com\"");
        assertThatThrownBy(() -> parse("tlsrpt:\n  sending_mta_ips: 192.0.2.1\n"))
                .hasMessage("mtasts.yml: tlsrpt.sending_mta_ips: expected a list of strings");
        assertThatThrownBy(() -> parse("tlsrpt:\n  sources: [/a, 7]\n"))
                .hasMessage("mtasts.yml: tlsrpt.sources[1]: expected a non-empty string, got 7");
        assertThatThrownBy(() -> parse("tlsrpt:\n  log_timezone: Mars/Olympus\n"))
                .hasMessageStartingWith("mtasts.yml: tlsrpt.log_timezone: expected a time zone");
        assertThatThrownBy(() -> parse("tlsrpt:\n  report_recipients_exclude: [postmaster]\n"))
                .hasMessage("mtasts.yml: tlsrpt.report_recipients_exclude: expected user@domain or @domain, got"
                        + " \"postmaster\"");
        assertThatThrownBy(() -> parse("tlsrpt:\n  batch_lines: 0\n"))
                .hasMessage("mtasts.yml: tlsrpt.batch_lines: expected an integer from 1 to 1000000, got 0");
        assertThatThrownBy(() -> parse("tlsrpt:\n  batch_interval: -1\n"))
                .hasMessage("mtasts.yml: tlsrpt.batch_interval: expected seconds, more than 0 and at most 3600, got -1");
        assertThatThrownBy(() -> parse("tlsrpt: [a]\n"))
                .hasMessage("mtasts.yml: tlsrpt: expected a mapping");
    }

    @Test
    void theCollectorSocketIsOffUnlessGivenAndTakesModeOwnerAndGroup() throws ConfigException {
        assertThat(parse("tlsrpt: {}\n").socket()).isEmpty();
        assertThat(parse("""
                tlsrpt:
                  socket: /var/spool/postfix/mtasts/tlsrpt.sock
                  socket_mode: 0660
                  socket_owner: mtasts
                  socket_group: postfix
                """).socket()).contains(new CollectorSocket(Path.of("/var/spool/postfix/mtasts/tlsrpt.sock"),
                OptionalInt.of(0660), Optional.of("mtasts"), Optional.of("postfix")));
        assertThat(parse("tlsrpt: {socket: /run/t.sock, socket_mode: \"0o620\"}\n").socket().orElseThrow().mode())
                .hasValue(0620);
    }

    @Test
    void collectorSocketErrorsNameTheKey() {
        assertThatThrownBy(() -> parse("tlsrpt: {socket: private/tlsrpt}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tlsrpt.socket").hasMessageContaining("expected an absolute path, got \"private/tlsrpt\"");
        assertThatThrownBy(() -> parse("tlsrpt: {socket: /run/t.sock, socket_mode: \"0999\"}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tlsrpt.socket_mode")
                .hasMessageContaining("expected an octal file mode from 0000 to 0777 such as 0660");
        assertThatThrownBy(() -> parse("tlsrpt: {socket_group: postfix}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tlsrpt.socket_group").hasMessageContaining("only meaningful with tlsrpt.socket");
    }
}
