package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.ConfigWriter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DashboardConfigLoaderTest {

    /** As the commands read it: the dashboard's section with the resolver's http: of the same document. */
    private static DashboardConfig parse(String yaml) throws ConfigException {
        ConfigDocument document = ConfigDocument.parse("test.yml", yaml);
        return DashboardConfigLoader.parse(document, ConfigLoader.parse(document).http());
    }

    @Test
    void absentSectionMeansTheDefaults() throws Exception {
        assertThat(parse("")).isEqualTo(DashboardConfig.DEFAULT)
                .isEqualTo(new DashboardConfig(false, Optional.empty(), Optional.empty()));
    }

    @Test
    void everyKeyIsReadAndRendersBack() throws Exception {
        DashboardConfig config = parse("""
                http: {host: 127.0.0.2, port: 19461}
                dashboard:
                  enabled: true
                  token: s3cret
                  username: admin
                  password: "pass:word"
                """);

        assertThat(config).isEqualTo(new DashboardConfig(true, Optional.of("s3cret"),
                Optional.of(new DashboardConfig.BasicAuth("admin", "pass:word"))));
        String rendered = ConfigWriter.toYaml(ConfigLoader.parse("test.yml", ""),
                Map.of("dashboard", DashboardConfigLoader.render(config)));
        assertThat(parse(rendered)).isEqualTo(config);
    }

    @Test
    void dashboardAddressNamesTheHttpKeyThatReplacesIt() {
        assertThatThrownBy(() -> parse("dashboard: {enabled: true, port: 9100}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: dashboard.port: no longer accepted here: use http.port: the daemon's HTTP"
                        + " listener serves the dashboard");
    }

    @Test
    void dashboardOffLoopbackWithoutCredentialsIsRefused() {
        assertThatThrownBy(() -> parse("http: {host: 0.0.0.0}\ndashboard: {enabled: true}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: dashboard.enabled: the dashboard on http.host 0.0.0.0, which is not a"
                        + " loopback address, needs a token or username and password: TLS reports reveal"
                        + " infrastructure");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "'::1'", "'[::1]'", "127.0.0.1", "127.1.2.3"})
    void dashboardOnLoopbackNeedsNoCredentials(String host) throws Exception {
        assertThat(parse("http: {host: " + host + "}\ndashboard: {enabled: true}\n").enabled()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.256", "128.0.0.1", "'::'", "mx.example.net"})
    void dashboardElsewhereNeedsCredentials(String host) {
        assertThatThrownBy(() -> parse("http: {host: " + host + "}\ndashboard: {enabled: true}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: dashboard.enabled: the dashboard on http.host ");
    }

    @Test
    void dashboardOffLoopbackWithTokenIsAccepted() throws Exception {
        DashboardConfig config = parse("http: {host: 0.0.0.0}\ndashboard: {enabled: true, token: t}\n");

        assertThat(config.requiresAuth()).isTrue();
    }

    @Test
    void dashboardUserWithoutPasswordNamesTheMissingKey() {
        assertThatThrownBy(() -> parse("dashboard: {username: admin}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: dashboard.password: basic authentication needs both username and password");
    }

    @Test
    void dashboardUserWithColonIsRefused() {
        assertThatThrownBy(() -> parse("dashboard: {username: 'a:b', password: p}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: dashboard.username: a non-empty user name without ':' (RFC 7617 §2)");
    }

    @Test
    void blankTokenIsRefused() {
        assertThatThrownBy(() -> parse("dashboard: {token: ' '}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: dashboard.token: a non-empty token, or no token key at all");
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
        return Arbitraries.of("dashboard: {enabled: %s, token: %s}", "dashboard: {username: %s, password: %s}",
                "http: {host: %s}\ndashboard: {enabled: true}");
    }

    @Provide
    Arbitrary<String> scalars() {
        return ConfigScalars.scalars();
    }
}
