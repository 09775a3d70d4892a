package io.github.mtasts.tlsrpt.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.MetricsConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code tlsrpt:} section of the one YAML configuration file. The resolver's {@code ConfigLoader} owns
 * the file and its other keys and only checks that {@code tlsrpt} is a mapping; this module owns the section's
 * keys, so the resolver does not depend on TLSRPT types. Errors name the file and the key path.
 */
public final class TlsrptConfigLoader {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> KEYS = Set.of("sending_mta_ips", "log_timezone", "sources",
            "report_recipients_exclude", "batch_lines", "batch_interval", "metrics", "host_name", "store",
            "report"); // tlsrpt.report: read by schedule.ReportSettingsLoader
    private static final Set<String> METRICS_KEYS = Set.of("enabled", "host", "port");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    private static final Pattern HOST_NAME = Pattern.compile("\\S{1,253}");
    private static final Map<String, List<String>> STORE_OPTIONS = Map.of(
            "sqlite", List.of("filename", "timeout"),
            "postgres", List.of("dsn", "timeout", "min_size", "max_size"));
    private static final int MAX_POOL = 10_000;
    private static final Pattern RECIPIENT = Pattern.compile("[^@\\s]*@[^@\\s]+");

    private TlsrptConfigLoader() {
    }

    /** The section of {@code file}; the defaults when the file has no {@code tlsrpt:} key. */
    public static TlsrptConfig load(Path file) throws ConfigException {
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses the section out of configuration text; {@code source} names it in errors. No I/O. */
    public static TlsrptConfig parse(String source, String yaml) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": invalid YAML: " + e.getOriginalMessage());
        }
        JsonNode section = root == null ? null : root.get("tlsrpt");
        if (section == null || section.isNull()) {
            return TlsrptConfig.defaults();
        }
        if (!section.isObject()) {
            throw error(source, "tlsrpt", "expected a mapping");
        }
        for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw error(source, "tlsrpt." + key, "unknown key; expected one of " + String.join(", ",
                        KEYS.stream().sorted().toList()));
            }
        }
        List<String> ips = new ArrayList<>();
        for (String ip : strings(source, section, "sending_mta_ips")) {
            if (!IPV4.matcher(ip).matches() && !IPV6.matcher(ip).matches()) {
                throw error(source, "tlsrpt.sending_mta_ips", "expected IP addresses, got \"" + ip + "\"");
            }
            ips.add(ip.toLowerCase(Locale.ROOT));
        }
        ZoneId zone = ZoneId.systemDefault();
        JsonNode zoneNode = section.get("log_timezone");
        if (zoneNode != null && !zoneNode.isNull()) {
            try {
                zone = ZoneId.of(zoneNode.asText());
            } catch (DateTimeException e) {
                throw error(source, "tlsrpt.log_timezone", "expected a time zone such as Europe/Berlin or UTC, got \""
                        + zoneNode.asText() + "\"");
            }
        }
        List<Path> sources = strings(source, section, "sources").stream().map(Path::of).toList();
        List<String> excluded = new ArrayList<>();
        for (String recipient : strings(source, section, "report_recipients_exclude")) {
            if (!RECIPIENT.matcher(recipient).matches()) {
                throw error(source, "tlsrpt.report_recipients_exclude",
                        "expected user@domain or @domain, got \"" + recipient + "\"");
            }
            excluded.add(recipient.toLowerCase(Locale.ROOT));
        }
        int batchLines = TlsrptConfig.DEFAULT_BATCH_LINES;
        JsonNode lines = section.get("batch_lines");
        if (lines != null && !lines.isNull()) {
            if (!lines.isIntegralNumber() || lines.asLong() < 1 || lines.asLong() > 1_000_000) {
                throw error(source, "tlsrpt.batch_lines", "expected an integer from 1 to 1000000, got " + lines);
            }
            batchLines = lines.intValue();
        }
        Duration batchInterval = TlsrptConfig.DEFAULT_BATCH_INTERVAL;
        JsonNode interval = section.get("batch_interval");
        if (interval != null && !interval.isNull()) {
            if (!interval.isNumber() || !(interval.doubleValue() > 0) || interval.doubleValue() > 3600) {
                throw error(source, "tlsrpt.batch_interval", "expected seconds, more than 0 and at most 3600, got "
                        + interval);
            }
            batchInterval = Duration.ofMillis(Math.max(1, Math.round(interval.doubleValue() * 1000)));
        }
        String hostName = TlsrptConfig.machineHostName();
        JsonNode host = section.get("host_name");
        if (host != null && !host.isNull()) {
            if (!host.isTextual() || !HOST_NAME.matcher(host.textValue()).matches()) {
                throw error(source, "tlsrpt.host_name", "expected a host name without white space, at most 253"
                        + " characters, got " + host);
            }
            hostName = host.textValue();
        }
        return new TlsrptConfig(ips, zone, sources, excluded, batchLines, batchInterval,
                metrics(source, section.get("metrics")), hostName, store(source, section.get("store")));
    }

    /** {@code tlsrpt.store: {type: sqlite|postgres, options: {...}}}, the options of the same cache type. */
    private static Optional<CacheConfig> store(String source, JsonNode store) throws ConfigException {
        if (store == null || store.isNull()) {
            return Optional.empty();
        }
        if (!store.isObject()) {
            throw error(source, "tlsrpt.store", "expected a mapping with type and options");
        }
        for (Iterator<String> it = store.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("type") && !key.equals("options")) {
                throw error(source, "tlsrpt.store." + key, "unknown key; expected type, options");
            }
        }
        JsonNode type = store.get("type");
        if (type == null || !type.isTextual() || !STORE_OPTIONS.containsKey(type.textValue())) {
            throw error(source, "tlsrpt.store.type", "expected sqlite or postgres, got " + type);
        }
        JsonNode options = store.get("options");
        if (options == null || !options.isObject()) {
            throw error(source, "tlsrpt.store.options", "expected a mapping");
        }
        for (Iterator<String> it = options.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!STORE_OPTIONS.get(type.textValue()).contains(key)) {
                throw error(source, "tlsrpt.store.options." + key, "unknown key for store type " + type.textValue()
                        + "; expected one of " + String.join(", ", STORE_OPTIONS.get(type.textValue())));
            }
        }
        Duration timeout = CacheConfig.DEFAULT_STORE_TIMEOUT;
        JsonNode seconds = options.get("timeout");
        if (seconds != null && !seconds.isNull()) {
            if (!seconds.isNumber() || !(seconds.doubleValue() > 0) || seconds.doubleValue() > 3600) {
                throw error(source, "tlsrpt.store.options.timeout", "expected seconds, more than 0 and at most"
                        + " 3600, got " + seconds);
            }
            timeout = Duration.ofMillis(Math.max(1, Math.round(seconds.doubleValue() * 1000)));
        }
        if (type.textValue().equals("sqlite")) {
            return Optional.of(new CacheConfig.Sqlite(Path.of(requiredText(source, options, "filename")), 1,
                    timeout));
        }
        String dsn = requiredText(source, options, "dsn");
        if (!dsn.startsWith("postgres://") && !dsn.startsWith("postgresql://")) {
            throw error(source, "tlsrpt.store.options.dsn", "expected a postgres:// connection URI");
        }
        return Optional.of(new CacheConfig.Postgres(dsn, timeout, poolSize(source, options, "min_size", 0),
                poolSize(source, options, "max_size", 1)));
    }

    private static String requiredText(String source, JsonNode options, String key) throws ConfigException {
        JsonNode value = options.get(key);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw error(source, "tlsrpt.store.options." + key, "required: a non-empty string");
        }
        return value.textValue();
    }

    private static OptionalInt poolSize(String source, JsonNode options, String key, int min)
            throws ConfigException {
        JsonNode value = options.get(key);
        if (value == null || value.isNull()) {
            return OptionalInt.empty();
        }
        if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > MAX_POOL) {
            throw error(source, "tlsrpt.store.options." + key, "expected an integer from " + min + " to "
                    + MAX_POOL + ", got " + value);
        }
        return OptionalInt.of(value.intValue());
    }

    private static MetricsConfig metrics(String source, JsonNode node) throws ConfigException {
        MetricsConfig d = TlsrptConfig.DEFAULT_METRICS;
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            throw error(source, "tlsrpt.metrics", "expected a mapping with enabled, host, port");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!METRICS_KEYS.contains(key)) {
                throw error(source, "tlsrpt.metrics." + key, "unknown key; expected one of enabled, host, port");
            }
        }
        boolean enabled = d.enabled();
        JsonNode enabledNode = node.get("enabled");
        if (enabledNode != null && !enabledNode.isNull()) {
            if (!enabledNode.isBoolean()) {
                throw error(source, "tlsrpt.metrics.enabled", "expected true or false, got " + enabledNode);
            }
            enabled = enabledNode.booleanValue();
        }
        String host = d.host();
        JsonNode hostNode = node.get("host");
        if (hostNode != null && !hostNode.isNull()) {
            if (!hostNode.isTextual() || hostNode.asText().isBlank()) {
                throw error(source, "tlsrpt.metrics.host", "expected a host name or address, got " + hostNode);
            }
            host = hostNode.asText();
        }
        int port = d.port();
        JsonNode portNode = node.get("port");
        if (portNode != null && !portNode.isNull()) {
            if (!portNode.isIntegralNumber() || portNode.asLong() < 0 || portNode.asLong() > 65535) {
                throw error(source, "tlsrpt.metrics.port", "expected a port from 0 to 65535, got " + portNode);
            }
            port = portNode.intValue();
        }
        return new MetricsConfig(enabled, host, port);
    }

    private static List<String> strings(String source, JsonNode section, String key) throws ConfigException {
        JsonNode list = section.get(key);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw error(source, "tlsrpt." + key, "expected a list of strings");
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode value = list.get(i);
            if (!value.isTextual() || value.textValue().isBlank()) {
                throw error(source, "tlsrpt." + key + "[" + i + "]", "expected a non-empty string, got " + value);
            }
            values.add(value.textValue());
        }
        return values;
    }

    private static ConfigException error(String source, String keyPath, String problem) {
        return new ConfigException(source + ": " + keyPath + ": " + problem);
    }
}
