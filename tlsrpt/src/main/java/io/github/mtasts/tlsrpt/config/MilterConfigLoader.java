package io.github.mtasts.tlsrpt.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigSection;
import io.github.mtasts.resolver.config.MetricsConfig;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the {@code milter:} section of the parsed configuration file, which this module owns (the resolver's
 * {@code ConfigLoader} only checks it is a mapping), and renders it back for {@code mtasts config check}.
 */
public final class MilterConfigLoader {
    private static final Pattern MAIL_ADDRESS = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+");

    private MilterConfigLoader() {
    }

    /** The section of {@code document}; the defaults when it has no {@code milter:} key. No I/O. */
    public static MilterConfig parse(ConfigDocument document) throws ConfigException {
        ConfigSection section = document.section("milter");
        MilterConfig d = MilterConfig.DEFAULT;
        String host = section.string("host", d.host());
        int port = section.integer("port", d.port(), 0, 65535);
        int maxMessageSize = section.integer("max_message_size", d.maxMessageSize(), 1, Integer.MAX_VALUE);
        Map<String, MilterConfig.Disposition> addresses = new LinkedHashMap<>();
        ConfigSection addressSection = section.section("addresses");
        for (String address : addressSection.keys()) {
            if (!MAIL_ADDRESS.matcher(address).matches()) {
                throw addressSection.error(address, "a report address must look like local@domain");
            }
            String disposition = addressSection.requiredString(address, "for a report address: keep or discard");
            if (!disposition.equals("keep") && !disposition.equals("discard")) {
                throw addressSection.error(address, "keep or discard",
                        JsonNodeFactory.instance.textNode(disposition));
            }
            if (addresses.put(address.toLowerCase(Locale.ROOT),
                    MilterConfig.Disposition.valueOf(disposition.toUpperCase(Locale.ROOT))) != null) {
                throw addressSection.error(address, "the same address in another case is listed already");
            }
        }
        MetricsConfig metrics = metrics(section.section("metrics"), d.metrics());
        section.rejectMovedKey("dashboard", "the daemon serves the dashboard now: use the top-level dashboard:"
                + " section, and http: for its address");
        section.rejectUnknownKeys();
        return new MilterConfig(host, port, maxMessageSize, addresses, metrics);
    }

    /** The section with every default spelt out, as {@link #parse} reads it back. */
    public static Map<String, Object> render(MilterConfig milter) {
        Map<String, Object> addresses = new LinkedHashMap<>();
        milter.addresses().forEach((address, disposition) -> addresses.put(address, disposition.wireName()));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("enabled", milter.metrics().enabled());
        metrics.put("host", milter.metrics().host());
        metrics.put("port", milter.metrics().port());
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("host", milter.host());
        section.put("port", milter.port());
        section.put("max_message_size", milter.maxMessageSize());
        section.put("addresses", addresses);
        section.put("metrics", metrics);
        return section;
    }

    private static MetricsConfig metrics(ConfigSection section, MetricsConfig d) throws ConfigException {
        MetricsConfig parsed = new MetricsConfig(
                section.bool("enabled", d.enabled()),
                section.string("host", d.host()),
                section.integer("port", d.port(), 0, 65535));
        section.rejectUnknownKeys();
        return parsed;
    }
}
