package io.github.mtasts.tlsrpt.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigSection;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.MetricsConfig;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code tlsrpt:} section of the parsed configuration file, {@code tlsrpt.report:} included (through
 * {@link ReportSettingsLoader}). The resolver's {@code ConfigLoader} owns the top level and only checks that
 * {@code tlsrpt} is a mapping; this module owns the section's keys, so the resolver does not depend on TLSRPT types.
 * Errors name the file and the key path.
 */
public final class TlsrptConfigLoader {
    private static final Set<String> KEYS = Set.of("sending_mta_ips", "log_timezone", "sources", "socket",
            "socket_mode", "socket_owner", "socket_group", "report_recipients_exclude", "batch_lines",
            "batch_interval", "metrics", "host_name", "store", "report", "dane");
    // tlsrpt.report: read by ReportSettingsLoader, as part of this section
    private static final Set<String> METRICS_KEYS = Set.of("enabled", "host", "port");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    private static final Pattern HOST_NAME = Pattern.compile("\\S{1,253}");
    private static final Map<String, List<String>> STORE_OPTIONS = Map.of(
            "sqlite", List.of("filename", "timeout"),
            "postgres", List.of("dsn", "timeout", "min_size", "max_size"));
    private static final int MAX_POOL = 10_000;
    /** As the top-level {@code mode}: YAML 1.1 reads 0660 as octal; quoted "0660" and "0o660" are read as octal. */
    private static final Pattern OCTAL_MODE = Pattern.compile("0?o?([0-7]{1,4})");
    private static final Pattern RECIPIENT = Pattern.compile("[^@\\s]*@[^@\\s]+");

    private TlsrptConfigLoader() {
    }

    /** The section of {@code document}; the defaults when it has no {@code tlsrpt:} key. No I/O. */
    public static TlsrptConfig parse(ConfigDocument document) throws ConfigException {
        JsonNode node = document.get("tlsrpt");
        if (node.isMissingNode() || node.isNull()) {
            return TlsrptConfig.defaults();
        }
        if (!node.isObject()) {
            throw document.error("tlsrpt", "expected a mapping");
        }
        ConfigSection section = document.section("tlsrpt");
        section.rejectKeysOtherThan(KEYS, "unknown key; expected one of " + String.join(", ",
                KEYS.stream().sorted().toList()));
        List<String> ips = new ArrayList<>();
        for (String ip : section.strings("sending_mta_ips")) {
            if (!IPV4.matcher(ip).matches() && !IPV6.matcher(ip).matches()) {
                throw section.error("sending_mta_ips", "expected IP addresses, got \"" + ip + "\"");
            }
            ips.add(ip.toLowerCase(Locale.ROOT));
        }
        ZoneId zone = ZoneId.systemDefault();
        Optional<JsonNode> zoneNode = section.value("log_timezone");
        if (zoneNode.isPresent()) {
            try {
                zone = ZoneId.of(zoneNode.get().asText());
            } catch (DateTimeException e) {
                throw section.error("log_timezone", "expected a time zone such as Europe/Berlin or UTC, got \""
                        + zoneNode.get().asText() + "\"");
            }
        }
        List<Path> sources = section.strings("sources").stream().map(Path::of).toList();
        Optional<CollectorSocket> socket = socket(section);
        List<String> excluded = new ArrayList<>();
        for (String recipient : section.strings("report_recipients_exclude")) {
            if (!RECIPIENT.matcher(recipient).matches()) {
                throw section.error("report_recipients_exclude",
                        "expected user@domain or @domain, got \"" + recipient + "\"");
            }
            excluded.add(recipient.toLowerCase(Locale.ROOT));
        }
        int batchLines = TlsrptConfig.DEFAULT_BATCH_LINES;
        Optional<JsonNode> lines = section.value("batch_lines");
        if (lines.isPresent()) {
            if (!lines.get().isIntegralNumber() || lines.get().asLong() < 1 || lines.get().asLong() > 1_000_000) {
                throw section.error("batch_lines", "expected an integer from 1 to 1000000, got " + lines.get());
            }
            batchLines = lines.get().intValue();
        }
        Duration batchInterval = TlsrptConfig.DEFAULT_BATCH_INTERVAL;
        Optional<JsonNode> interval = section.value("batch_interval");
        if (interval.isPresent()) {
            if (!interval.get().isNumber() || !(interval.get().doubleValue() > 0)
                    || interval.get().doubleValue() > 3600) {
                throw section.error("batch_interval", "expected seconds, more than 0 and at most 3600, got "
                        + interval.get());
            }
            batchInterval = Duration.ofMillis(Math.max(1, Math.round(interval.get().doubleValue() * 1000)));
        }
        String hostName = TlsrptConfig.machineHostName();
        Optional<JsonNode> host = section.value("host_name");
        if (host.isPresent()) {
            if (!host.get().isTextual() || !HOST_NAME.matcher(host.get().textValue()).matches()) {
                throw section.error("host_name", "expected a host name without white space, at most 253"
                        + " characters, got " + host.get());
            }
            hostName = host.get().textValue();
        }
        MetricsConfig metrics = metrics(section);
        Optional<CacheConfig> store = store(section);
        Optional<ReportSettings> report = ReportSettingsLoader.parse(section);
        DaneMode dane = DaneMode.OFF;
        Optional<JsonNode> daneNode = section.value("dane");
        if (daneNode.isPresent()) {
            // YAML 1.1 readers take a bare on/off for a boolean, others for text: both mean the same here
            String value = daneNode.get().isBoolean() ? (daneNode.get().booleanValue() ? "on" : "off")
                    : daneNode.get().asText();
            dane = DaneMode.fromConfigName(value).orElseThrow(() -> section.error("dane",
                    "expected off, on or auto, got " + daneNode.get()));
        }
        return new TlsrptConfig(ips, zone, sources, socket, excluded, batchLines, batchInterval, metrics, hostName, store,
                report, dane);
    }

    /** {@code tlsrpt.socket} and the settings of its file, which mean nothing without it. */
    private static Optional<CollectorSocket> socket(ConfigSection tlsrpt) throws ConfigException {
        Optional<String> path = tlsrpt.optionalString("socket");
        if (path.isEmpty()) {
            for (String key : List.of("socket_mode", "socket_owner", "socket_group")) {
                if (tlsrpt.value(key).isPresent()) {
                    throw tlsrpt.error(key, "only meaningful with tlsrpt.socket");
                }
            }
            return Optional.empty();
        }
        if (!path.get().startsWith("/")) {
            throw tlsrpt.error("socket", "expected an absolute path, got \"" + path.get() + "\"");
        }
        OptionalInt mode = OptionalInt.empty();
        Optional<JsonNode> modeNode = tlsrpt.value("socket_mode");
        if (modeNode.isPresent()) {
            JsonNode v = modeNode.get();
            int parsed = -1;
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                parsed = v.intValue();
            } else if (v.isTextual()) {
                Matcher m = OCTAL_MODE.matcher(v.textValue());
                if (m.matches()) {
                    parsed = Integer.parseInt(m.group(1), 8);
                }
            }
            if (parsed < 0 || parsed > 0777) {
                throw tlsrpt.error("socket_mode", "expected an octal file mode from 0000 to 0777 such as 0660, got "
                        + v);
            }
            mode = OptionalInt.of(parsed);
        }
        return Optional.of(new CollectorSocket(Path.of(path.get()), mode, tlsrpt.optionalString("socket_owner"),
                tlsrpt.optionalString("socket_group")));
    }

    /** {@code tlsrpt.store: {type: sqlite|postgres, options: {...}}}, the options of the same cache type. */
    private static Optional<CacheConfig> store(ConfigSection tlsrpt) throws ConfigException {
        Optional<JsonNode> node = tlsrpt.value("store");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (!node.get().isObject()) {
            throw tlsrpt.error("store", "expected a mapping with type and options");
        }
        ConfigSection store = tlsrpt.section("store");
        store.rejectKeysOtherThan(List.of("type", "options"), "unknown key; expected type, options");
        JsonNode type = store.value("type").orElse(null);
        if (type == null || !type.isTextual() || !STORE_OPTIONS.containsKey(type.textValue())) {
            throw store.error("type", "expected sqlite or postgres, got " + type);
        }
        if (store.value("options").filter(JsonNode::isObject).isEmpty()) {
            throw store.error("options", "expected a mapping");
        }
        ConfigSection options = store.section("options");
        List<String> accepted = STORE_OPTIONS.get(type.textValue());
        options.rejectKeysOtherThan(accepted, "unknown key for store type " + type.textValue()
                + "; expected one of " + String.join(", ", accepted));
        Duration timeout = CacheConfig.DEFAULT_STORE_TIMEOUT;
        Optional<JsonNode> seconds = options.value("timeout");
        if (seconds.isPresent()) {
            if (!seconds.get().isNumber() || !(seconds.get().doubleValue() > 0)
                    || seconds.get().doubleValue() > 3600) {
                throw options.error("timeout", "expected seconds, more than 0 and at most 3600, got "
                        + seconds.get());
            }
            timeout = Duration.ofMillis(Math.max(1, Math.round(seconds.get().doubleValue() * 1000)));
        }
        if (type.textValue().equals("sqlite")) {
            return Optional.of(new CacheConfig.Sqlite(Path.of(requiredText(options, "filename")), 1, timeout));
        }
        String dsn = requiredText(options, "dsn");
        if (!dsn.startsWith("postgres://") && !dsn.startsWith("postgresql://")) {
            throw options.error("dsn", "expected a postgres:// connection URI");
        }
        return Optional.of(new CacheConfig.Postgres(dsn, timeout, poolSize(options, "min_size", 0),
                poolSize(options, "max_size", 1)));
    }

    private static String requiredText(ConfigSection options, String key) throws ConfigException {
        Optional<JsonNode> value = options.value(key);
        if (value.isEmpty() || !value.get().isTextual() || value.get().textValue().isBlank()) {
            throw options.error(key, "required: a non-empty string");
        }
        return value.get().textValue();
    }

    private static OptionalInt poolSize(ConfigSection options, String key, int min) throws ConfigException {
        Optional<JsonNode> value = options.value(key);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        if (!value.get().isIntegralNumber() || value.get().asLong() < min || value.get().asLong() > MAX_POOL) {
            throw options.error(key, "expected an integer from " + min + " to " + MAX_POOL + ", got "
                    + value.get());
        }
        return OptionalInt.of(value.get().intValue());
    }

    private static MetricsConfig metrics(ConfigSection tlsrpt) throws ConfigException {
        MetricsConfig d = TlsrptConfig.DEFAULT_METRICS;
        Optional<JsonNode> node = tlsrpt.value("metrics");
        if (node.isEmpty()) {
            return d;
        }
        if (!node.get().isObject()) {
            throw tlsrpt.error("metrics", "expected a mapping with enabled, host, port");
        }
        ConfigSection metrics = tlsrpt.section("metrics");
        metrics.rejectKeysOtherThan(METRICS_KEYS, "unknown key; expected one of enabled, host, port");
        boolean enabled = d.enabled();
        Optional<JsonNode> enabledNode = metrics.value("enabled");
        if (enabledNode.isPresent()) {
            if (!enabledNode.get().isBoolean()) {
                throw metrics.error("enabled", "expected true or false, got " + enabledNode.get());
            }
            enabled = enabledNode.get().booleanValue();
        }
        String host = d.host();
        Optional<JsonNode> hostNode = metrics.value("host");
        if (hostNode.isPresent()) {
            if (!hostNode.get().isTextual() || hostNode.get().asText().isBlank()) {
                throw metrics.error("host", "expected a host name or address, got " + hostNode.get());
            }
            host = hostNode.get().asText();
        }
        int port = d.port();
        Optional<JsonNode> portNode = metrics.value("port");
        if (portNode.isPresent()) {
            if (!portNode.get().isIntegralNumber() || portNode.get().asLong() < 0 || portNode.get().asLong() > 65535) {
                throw metrics.error("port", "expected a port from 0 to 65535, got " + portNode.get());
            }
            port = portNode.get().intValue();
        }
        return new MetricsConfig(enabled, host, port);
    }
}
