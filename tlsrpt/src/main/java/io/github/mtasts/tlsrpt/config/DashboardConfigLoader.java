package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigSection;
import io.github.mtasts.resolver.config.HttpConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code dashboard:} section of the parsed configuration file, which this module owns (the resolver's
 * {@code ConfigLoader} only checks it is a mapping), and renders it back for {@code mtasts config check}.
 * <p>
 * The page is served on the resolver's HTTP listener, whose address is the resolver's {@code http:} section. The rule
 * joining the two (no dashboard on a non-loopback address without credentials) is checked here, with the parsed
 * {@link HttpConfig} passed in: it protects what the dashboard shows, the listener itself is the same either way,
 * and the resolver knows nothing of dashboards.
 */
public final class DashboardConfigLoader {

    private DashboardConfigLoader() {
    }

    /**
     * The section of {@code document}; the defaults when it has no {@code dashboard:} key. No I/O.
     *
     * @param http the resolver's {@code http:} section of the same document, where the page would be served
     */
    public static DashboardConfig parse(ConfigDocument document, HttpConfig http) throws ConfigException {
        ConfigSection section = document.section("dashboard");
        for (String key : List.of("host", "port")) {
            section.rejectMovedKey(key, "use http." + key + ": the daemon's HTTP listener serves the dashboard");
        }
        boolean enabled = section.bool("enabled", DashboardConfig.DEFAULT.enabled());
        Optional<String> token = section.optionalString("token");
        if (token.isPresent() && token.get().isBlank()) {
            throw section.error("token", "a non-empty token, or no token key at all");
        }
        Optional<String> username = section.optionalString("username");
        Optional<String> password = section.optionalString("password");
        if (username.isPresent() != password.isPresent()) {
            throw section.error(username.isPresent() ? "password" : "username",
                    "basic authentication needs both username and password");
        }
        Optional<DashboardConfig.BasicAuth> basicAuth = Optional.empty();
        if (username.isPresent()) {
            if (username.get().isEmpty() || username.get().contains(":")) {
                throw section.error("username", "a non-empty user name without ':' (RFC 7617 §2)");
            }
            if (password.get().isEmpty()) {
                throw section.error("password", "a non-empty password");
            }
            basicAuth = Optional.of(new DashboardConfig.BasicAuth(username.get(), password.get()));
        }
        section.rejectUnknownKeys();
        DashboardConfig dashboard = new DashboardConfig(enabled, token, basicAuth);
        if (dashboard.enabled() && !dashboard.requiresAuth() && !http.loopback()) {
            throw section.error("enabled", "the dashboard on http.host " + http.host()
                    + ", which is not a loopback address, needs a token or username and password:"
                    + " TLS reports reveal infrastructure");
        }
        return dashboard;
    }

    /** The section with every default spelt out, as {@link #parse} reads it back. */
    public static Map<String, Object> render(DashboardConfig dashboard) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("enabled", dashboard.enabled());
        dashboard.token().ifPresent(token -> section.put("token", token));
        dashboard.basicAuth().ifPresent(basic -> {
            section.put("username", basic.username());
            section.put("password", basic.password());
        });
        return section;
    }
}
