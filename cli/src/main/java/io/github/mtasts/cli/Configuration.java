package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.ConfigSection;
import io.github.mtasts.resolver.config.ConfigWriter;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.HttpConfig;
import io.github.mtasts.tlsrpt.config.DashboardConfig;
import io.github.mtasts.tlsrpt.config.DashboardConfigLoader;
import io.github.mtasts.tlsrpt.config.MilterConfig;
import io.github.mtasts.tlsrpt.config.MilterConfigLoader;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.config.TlsrptConfigLoader;

import java.util.Map;
import java.util.Objects;

/**
 * The whole configuration file, each section parsed once by its owner from the one parsed document: the resolver's
 * keys ({@link ConfigLoader}), and the sections the tlsrpt module owns. Composed here because the resolver knows
 * nothing of TLSRPT.
 *
 * @param daemon    the Python daemon's keys and the resolver's sections
 * @param dashboard {@code dashboard:}, checked against the daemon's {@code http:} listener
 * @param milter    {@code milter:}
 * @param tlsrpt    {@code tlsrpt:}, {@code tlsrpt.report:} included
 */
record Configuration(DaemonConfig daemon, DashboardConfig dashboard, MilterConfig milter, TlsrptConfig tlsrpt) {

    Configuration {
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(dashboard, "dashboard");
        Objects.requireNonNull(milter, "milter");
        Objects.requireNonNull(tlsrpt, "tlsrpt");
    }

    /** Every section of {@code document}; the first error in file order stops it. */
    static Configuration parse(ConfigDocument document) throws ConfigException {
        DaemonConfig daemon = ConfigLoader.parse(document);
        DashboardConfig dashboard = DashboardConfigLoader.parse(document, daemon.http());
        MilterConfig milter = MilterConfigLoader.parse(document);
        TlsrptConfig tlsrpt = TlsrptConfigLoader.parse(document);
        if (!dashboard.requiresAuth()) {
            requireLoopbackMetrics(document.section("http"), daemon.metrics(), daemon.http().host());
            requireLoopbackMetrics(document.section("milter").section("metrics"), milter.metrics().enabled(),
                    milter.metrics().host());
            requireLoopbackMetrics(document.section("tlsrpt").section("metrics"), tlsrpt.metrics().enabled(),
                    tlsrpt.metrics().host());
        }
        return new Configuration(daemon, dashboard, milter, tlsrpt);
    }

    /**
     * The suite's one rule for HTTP listeners, which joins sections of both modules: off a loopback address every
     * one needs the {@code dashboard:} credentials, {@code /metrics} included (metrics name domains, MX hosts and
     * report addresses). The daemon's, the milter's and the reporter's listeners all take those credentials;
     * Prometheus sends them as a bearer token or basic auth.
     *
     * @param section where {@code host} is (http, milter.metrics, tlsrpt.metrics)
     */
    private static void requireLoopbackMetrics(ConfigSection section, boolean served, String host)
            throws ConfigException {
        if (served && !HttpConfig.isLoopback(host)) {
            throw section.error("host", "/metrics on " + host + ", which is not a loopback address, needs"
                    + " dashboard.token or dashboard.username and password (Prometheus sends either): metrics"
                    + " reveal infrastructure");
        }
    }

    /**
     * Every section the owners render, with every default spelt out: what {@code mtasts config check} prints.
     * The {@code tlsrpt:} section is validated but, as before, not printed.
     */
    String toYaml() {
        return ConfigWriter.toYaml(daemon, Map.of(
                "dashboard", DashboardConfigLoader.render(dashboard),
                "milter", MilterConfigLoader.render(milter)));
    }
}
