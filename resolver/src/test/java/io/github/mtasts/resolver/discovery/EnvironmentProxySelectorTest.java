package io.github.mtasts.resolver.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentProxySelectorTest {

    static final URI POLICY = URI.create("https://mta-sts.example.com/.well-known/mta-sts.txt");

    static ProxySelector selector(Map<String, String> environment) {
        return EnvironmentProxySelector.fromEnvironment(environment).orElseThrow();
    }

    static Proxy http(String host, int port) {
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port));
    }

    @Test
    void noProxyVariableMeansDirect() {
        assertThat(EnvironmentProxySelector.fromEnvironment(Map.of())).isEmpty();
        assertThat(EnvironmentProxySelector.fromEnvironment(Map.of("http_proxy", "http://proxy:3128"))).isEmpty();
    }

    @Test
    void httpsProxyIsUsedForHttpsUrls() {
        assertThat(selector(Map.of("https_proxy", "http://proxy.lan:3128")).select(POLICY))
                .containsExactly(http("proxy.lan", 3128));
    }

    @Test
    void upperCaseVariableWorksAndLowerCaseWins() {
        assertThat(selector(Map.of("HTTPS_PROXY", "proxy.lan:8080")).select(POLICY)).containsExactly(http("proxy.lan", 8080));
        assertThat(selector(Map.of("HTTPS_PROXY", "http://upper:1", "https_proxy", "http://lower:2")).select(POLICY))
                .containsExactly(http("lower", 2));
    }

    @Test
    void proxyWithoutPortUsesCurlDefault() {
        assertThat(selector(Map.of("https_proxy", "http://proxy.lan")).select(POLICY)).containsExactly(http("proxy.lan", 1080));
    }

    @Test
    void noProxySuffixesGoDirect() {
        ProxySelector selector = selector(Map.of("https_proxy", "http://proxy:3128", "no_proxy", "internal.lan, .example.com"));
        assertThat(selector.select(POLICY)).containsExactly(Proxy.NO_PROXY);
        assertThat(selector.select(URI.create("https://mta-sts.internal.lan/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(selector.select(URI.create("https://internal.lan/x"))).containsExactly(Proxy.NO_PROXY);
        assertThat(selector.select(URI.create("https://notinternal.lan/x"))).containsExactly(http("proxy", 3128));
    }

    @Test
    void noProxyStarBypassesEverything() {
        assertThat(selector(Map.of("https_proxy", "http://proxy:3128", "NO_PROXY", "*")).select(POLICY))
                .isEqualTo(List.of(Proxy.NO_PROXY));
    }

    @Test
    void rejectsProxyWithOtherScheme() {
        assertThatThrownBy(() -> EnvironmentProxySelector.fromEnvironment(Map.of("https_proxy", "socks5://proxy:1080")))
                .hasMessageContaining("only http:// proxies are supported");
    }
}
