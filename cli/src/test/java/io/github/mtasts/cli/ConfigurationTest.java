package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.HttpConfig;
import io.github.mtasts.resolver.config.MetricsConfig;
import io.github.mtasts.tlsrpt.config.DashboardConfig;
import io.github.mtasts.tlsrpt.config.MilterConfig;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigurationTest {

    private static Configuration parse(String yaml) throws ConfigException {
        return Configuration.parse(ConfigDocument.parse("test.yml", yaml));
    }

    @Test
    void emptyFileMeansEveryDefault(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("mtasts.yml"), "");

        Configuration config = ConfigFiles.load(Optional.of(file));

        assertThat(config.daemon()).isEqualTo(DaemonConfig.defaults());
        assertThat(config.dashboard()).isEqualTo(new DashboardConfig(false, Optional.empty(), Optional.empty()));
        assertThat(config.milter()).isEqualTo(MilterConfig.DEFAULT)
                .isEqualTo(new MilterConfig("127.0.0.1", 8891, 10 * 1024 * 1024, java.util.Map.of(),
                        new MetricsConfig(false, "127.0.0.1", 9462)));
        assertThat(config.tlsrpt()).isEqualTo(TlsrptConfig.defaults());
        assertThat(ConfigFiles.load(Optional.empty())).isEqualTo(config);
    }

    @Test
    void dashboardAndMetricsShareTheHttpListener() throws Exception {
        Configuration config = parse("""
                http: {host: 127.0.0.2, port: 19461}
                dashboard:
                  enabled: true
                  token: s3cret
                  username: admin
                  password: "pass:word"
                """);

        assertThat(config.daemon().http()).isEqualTo(new HttpConfig("127.0.0.2", 19461));
        assertThat(config.daemon().metrics()).isFalse();
        assertThat(config.dashboard()).isEqualTo(new DashboardConfig(true, Optional.of("s3cret"),
                Optional.of(new DashboardConfig.BasicAuth("admin", "pass:word"))));
        assertThat(Configuration.parse(ConfigDocument.parse("rendered", config.toYaml()))).isEqualTo(config);
    }

    @Test
    void everyOwnerReadsTheSameDocument() throws Exception {
        Configuration config = parse("""
                port: 18461
                milter: {port: 18891}
                tlsrpt:
                  batch_lines: 5
                  report: {organization_name: Example Inc., contact_info: tlsrpt@example.net,
                           submitter_domain: mail.example.net, from: tlsrpt-noreply@example.net}
                """);

        assertThat(config.daemon().port()).isEqualTo(18461);
        assertThat(config.milter().port()).isEqualTo(18891);
        assertThat(config.tlsrpt().batchLines()).isEqualTo(5);
        assertThat(config.tlsrpt().report()).hasValueSatisfying(
                report -> assertThat(report.reporter().organizationName()).isEqualTo("Example Inc."));
    }

    @Test
    void anErrorInAnySectionStopsTheWholeFile() {
        assertThatThrownBy(() -> parse("milter: {colour: blue}\n"))
                .hasMessageStartingWith("test.yml: milter.colour: unknown key");
        assertThatThrownBy(() -> parse("dashboard: {colour: blue}\n"))
                .hasMessageStartingWith("test.yml: dashboard.colour: unknown key");
        assertThatThrownBy(() -> parse("tlsrpt: {report: {colour: blue}}\n"))
                .hasMessageStartingWith("test.yml: tlsrpt.report.colour: unknown key");
        assertThatThrownBy(() -> parse("colour: blue\n"))
                .hasMessageStartingWith("test.yml: colour: unknown key");
    }

    @Test
    void printedConfigurationHasEverySectionItPrintedBefore() throws Exception {
        String yaml = parse("").toYaml();

        assertThat(yaml).contains("\nhttp:", "\nmetrics:", "\ndashboard:", "\nsocketmap:", "\nmilter:",
                "max_message_size: 10485760");
        assertThat(yaml.indexOf("\ndashboard:")).isBetween(yaml.indexOf("\nmetrics:"), yaml.indexOf("\nsocketmap:"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http: {host: 0.0.0.0}\nmetrics: {enabled: true}\n|http.host: /metrics on 0.0.0.0",
            "milter: {metrics: {enabled: true, host: '::'}}\n|milter.metrics.host: /metrics on ::",
            "tlsrpt: {metrics: {enabled: true, host: 192.0.2.1}}\n|tlsrpt.metrics.host: /metrics on 192.0.2.1"})
    void metricsOffLoopbackWithoutCredentialsAreRefusedNamingTheKey(String yamlAndMessage) {
        String[] parts = yamlAndMessage.split("\\|");
        assertThatThrownBy(() -> parse(parts[0]))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: " + parts[1] + ", which is not a loopback address, needs dashboard.token or"
                        + " dashboard.username and password (Prometheus sends either): metrics reveal infrastructure");
    }

    @Test
    void metricsOffLoopbackWithCredentialsAreAccepted() throws Exception {
        Configuration config = parse("""
                http: {host: 0.0.0.0}
                metrics: {enabled: true}
                milter: {metrics: {enabled: true, host: 0.0.0.0}}
                tlsrpt: {metrics: {enabled: true, host: 0.0.0.0}}
                dashboard: {username: prometheus, password: pw}
                """);

        assertThat(config.daemon().metrics()).isTrue();
        assertThat(config.milter().metrics().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void metricsOnLoopbackOrDisabledNeedNoCredentials() throws Exception {
        Configuration config = parse("http: {host: 127.0.0.1}\nmetrics: {enabled: true}\n"
                + "milter: {metrics: {enabled: false, host: 0.0.0.0}}\ntlsrpt: {metrics: {enabled: true, host: localhost}}\n");

        assertThat(config.dashboard().requiresAuth()).isFalse();
    }
}
