package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.ConfigWriter;
import io.github.mtasts.resolver.config.MetricsConfig;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MilterConfigLoaderTest {

    private static MilterConfig parse(String yaml) throws ConfigException {
        return MilterConfigLoader.parse(ConfigDocument.parse("test.yml", yaml));
    }

    @Test
    void absentSectionMeansTheDefaults() throws Exception {
        assertThat(parse("")).isEqualTo(MilterConfig.DEFAULT)
                .isEqualTo(new MilterConfig("127.0.0.1", 8891, 10 * 1024 * 1024, java.util.Map.of(),
                        new MetricsConfig(false, "127.0.0.1", 9462)));
    }

    @Test
    void milterSectionNamesReportAddressesWithWhatToDoAfterStoring() throws Exception {
        MilterConfig config = parse("""
                milter:
                  port: 18891
                  max_message_size: 2000000
                  addresses:
                    TLSRPT@Example.com: discard
                    postmaster@example.com: keep
                  metrics:
                    enabled: true
                    port: 19462
                """);
        assertThat(config).isEqualTo(new MilterConfig("127.0.0.1", 18891, 2_000_000, java.util.Map.of(
                "tlsrpt@example.com", MilterConfig.Disposition.DISCARD,
                "postmaster@example.com", MilterConfig.Disposition.KEEP),
                new MetricsConfig(true, "127.0.0.1", 19462)));
        String rendered = ConfigWriter.toYaml(ConfigLoader.parse("test.yml", ""),
                Map.of("milter", MilterConfigLoader.render(config)));
        assertThat(MilterConfigLoader.parse(ConfigDocument.parse("rendered", rendered))).isEqualTo(config);
    }

    @Test
    void milterDashboardNamesTheKeyThatReplacesIt() {
        assertThatThrownBy(() -> parse("milter:\n  dashboard: {enabled: true}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: milter.dashboard: no longer accepted here: the daemon serves the dashboard"
                        + " now: use the top-level dashboard: section, and http: for its address");
    }

    @Test
    void milterAddressDispositionOtherThanKeepOrDiscardNamesTheAddress() {
        assertThatThrownBy(() -> parse("milter:\n  addresses:\n    tlsrpt@example.com: delete\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: milter.addresses.tlsrpt@example.com: expected keep or discard, got \"delete\"");
    }

    @Test
    void milterAddressWithoutDomainIsRejected() {
        assertThatThrownBy(() -> parse("milter:\n  addresses:\n    tlsrpt: keep\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: milter.addresses.tlsrpt: a report address must look like local@domain");
    }

    @Test
    void unknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> parse("milter: {metrics: {enable: true}}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: milter.metrics.enable: unknown key; expected one of enabled, host, port");
    }

    @Property(tries = 500)
    void noValueOfAnyKeyMakesTheLoaderFailWithAnythingButConfigException(
            @ForAll("keyTemplates") String template, @ForAll("scalars") String scalar) {
        try {
            assertThat(parse(template.replace("%s", scalar))).isNotNull();
        } catch (ConfigException e) {
            assertThat(e).hasMessageStartingWith("test.yml: ");
        }
    }

    @Provide
    Arbitrary<String> keyTemplates() {
        return Arbitraries.of("milter: {port: %s, max_message_size: %s}", "milter: {addresses: %s}",
                "milter: {addresses: {'a@b': %s}}");
    }

    @Provide
    Arbitrary<String> scalars() {
        return ConfigScalars.scalars();
    }
}
