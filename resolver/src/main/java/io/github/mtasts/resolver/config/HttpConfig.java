package io.github.mtasts.resolver.config;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code http:} section: where the daemon's one HTTP listener binds. It serves {@code /metrics} and the
 * dashboard, and binds only when one of them is enabled. Loopback by default: both reveal infrastructure.
 */
public record HttpConfig(String host, int port) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public static final HttpConfig DEFAULT = new HttpConfig("127.0.0.1", 9461);

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Whether {@link #host} is a loopback literal or {@code localhost}; no DNS lookup at load time. */
    public boolean loopback() {
        return isLoopback(host);
    }

    /** Whether {@code host} is a loopback literal or {@code localhost}; no DNS lookup at load time. */
    public static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.equals("[::1]")
                || (IPV4.matcher(host).matches() && host.startsWith("127.")
                        && Arrays.stream(host.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255));
    }
}
