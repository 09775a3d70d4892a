package io.github.mtasts.resolver.discovery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The proxy conventions of curl and the Python resolver's aiohttp: {@code https_proxy} (or {@code HTTPS_PROXY})
 * names an HTTP proxy used with CONNECT for https URLs; {@code no_proxy} (or {@code NO_PROXY}) lists host
 * suffixes (comma separated, leading dot optional, {@code *} for all) that are fetched directly.
 */
public final class EnvironmentProxySelector extends ProxySelector {

    private static final int DEFAULT_PROXY_PORT = 1080;

    private final Proxy proxy;
    private final List<String> noProxy;

    private EnvironmentProxySelector(Proxy proxy, List<String> noProxy) {
        this.proxy = proxy;
        this.noProxy = noProxy;
    }

    /** A selector for {@code environment}, or empty when no https proxy is set there. */
    public static Optional<ProxySelector> fromEnvironment(Map<String, String> environment) {
        String value = first(environment, "https_proxy", "HTTPS_PROXY");
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        URI uri = URI.create(value.contains("://") ? value.strip() : "http://" + value.strip());
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("https_proxy \"" + value + "\": no host");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("https_proxy \"" + value + "\": only http:// proxies are supported");
        }
        int port = uri.getPort() < 0 ? DEFAULT_PROXY_PORT : uri.getPort();
        Proxy proxy = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
        List<String> noProxy = new ArrayList<>();
        String exclusions = first(environment, "no_proxy", "NO_PROXY");
        if (exclusions != null) {
            for (String entry : exclusions.split(",")) {
                String suffix = entry.strip().toLowerCase(Locale.ROOT);
                if (suffix.startsWith(".")) {
                    suffix = suffix.substring(1);
                }
                if (!suffix.isEmpty()) {
                    noProxy.add(suffix);
                }
            }
        }
        return Optional.of(new EnvironmentProxySelector(proxy, List.copyOf(noProxy)));
    }

    private static String first(Map<String, String> environment, String lower, String upper) {
        String value = environment.get(lower);
        return value != null ? value : environment.get(upper);
    }

    @Override
    public List<Proxy> select(URI uri) {
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || bypasses(uri.getHost())) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(proxy);
    }

    private boolean bypasses(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String suffix : noProxy) {
            if (suffix.equals("*") || h.equals(suffix) || h.endsWith("." + suffix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        // Nothing to remember: the next fetch tries the same proxy again.
    }

    @Override
    public String toString() {
        return "proxy " + proxy.address() + (noProxy.isEmpty() ? "" : " except " + noProxy);
    }
}
