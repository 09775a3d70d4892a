package io.github.mtasts.resolver.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Renders a {@link DaemonConfig} as the YAML {@link ConfigLoader} reads, with every default spelt out:
 * what {@code mtasts config check} prints so an administrator sees the configuration in force. The sections other
 * modules own are rendered by their owners and placed where the file has them.
 */
public final class ConfigWriter {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private ConfigWriter() {
    }

    public static String toYaml(DaemonConfig config) {
        return toYaml(config, Map.of());
    }

    /**
     * @param others the sections other modules own ({@code dashboard}, {@code milter}, {@code tlsrpt}) by key,
     *               each already rendered as maps, lists and scalars
     */
    public static String toYaml(DaemonConfig config, Map<String, ?> others) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("host", config.host());
        root.put("port", config.port());
        config.path().ifPresent(path -> root.put("path", path.toString()));
        // a quoted octal string: unambiguous for YAML 1.1 and 1.2 readers alike
        config.mode().ifPresent(mode -> root.put("mode", String.format("0%03o", mode)));
        config.socketOwner().user().ifPresent(user -> root.put("owner", user));
        config.socketOwner().group().ifPresent(group -> root.put("group", group));
        root.put("reuse_port", config.reusePort());
        root.put("shutdown_timeout", seconds(config.shutdownTimeout()));
        root.put("cache_grace", seconds(config.cacheGrace()));
        root.put("cache", cache(config.cache()));
        ProactiveFetchConfig proactive = config.proactivePolicyFetching();
        root.put("proactive_policy_fetching", map(
                "enabled", proactive.enabled(),
                "interval", seconds(proactive.interval()),
                "concurrency_limit", proactive.concurrencyLimit(),
                "grace_ratio", proactive.graceRatio()));
        root.put("default_zone", zone(config.defaultZone()));
        Map<String, Object> zones = new LinkedHashMap<>();
        config.zones().forEach((name, zone) -> zones.put(name, zone(zone)));
        root.put("zones", zones);
        config.caFile().ifPresent(file -> root.put("ca_file", file.toString()));
        Map<String, Object> dns = map("nameservers", config.dns().nameservers().stream()
                .map(ConfigWriter::nameserver).toList());
        config.dns().timeout().ifPresent(timeout -> dns.put("timeout", seconds(timeout)));
        root.put("dns", dns);
        root.put("http", map("host", config.http().host(), "port", config.http().port()));
        root.put("metrics", map("enabled", config.metrics()));
        putIfPresent(root, "dashboard", others);
        root.put("socketmap", map(
                "max_connections", config.socketmap().maxConnections(),
                "idle_timeout", seconds(config.socketmap().idleTimeout()),
                "max_request_length", config.socketmap().maxRequestLength(),
                "transport", config.socketmap().transport().configName()));
        root.put("overrides", overrides(config.overrides()));
        root.put("preload", config.preload());
        putIfPresent(root, "milter", others);
        putIfPresent(root, "tlsrpt", others);
        Map<String, Object> dnssec = map("validation", config.dnssec().validation().configName());
        config.dnssec().trustAnchorFile().ifPresent(file -> dnssec.put("trust_anchor_file", file.toString()));
        root.put("dnssec", dnssec);
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plain maps of strings and numbers always serialise", e);
        }
    }

    private static Map<String, Object> cache(CacheConfig cache) {
        Map<String, Object> options;
        if (cache instanceof CacheConfig.Internal internal) {
            options = map("cache_size", internal.cacheSize());
        } else if (cache instanceof CacheConfig.Sqlite sqlite) {
            options = map(
                    "filename", sqlite.filename().toString(),
                    "threads", sqlite.threads(),
                    "timeout", seconds(sqlite.timeout()));
        } else if (cache instanceof CacheConfig.Redis redis) {
            options = redis(map("url", redis.url()), redis.options());
        } else if (cache instanceof CacheConfig.RedisSentinel sentinel) {
            options = redis(map(
                    "sentinel_master_name", sentinel.sentinelMasterName(),
                    "sentinels", sentinel.sentinels().stream().map(s -> List.of(s.host(), s.port())).toList()),
                    sentinel.options());
        } else {
            CacheConfig.Postgres postgres = (CacheConfig.Postgres) cache;
            options = map("dsn", postgres.dsn(), "timeout", seconds(postgres.timeout()));
            putIfPresent(options, "min_size", postgres.minSize());
            putIfPresent(options, "max_size", postgres.maxSize());
        }
        return map("type", cache.type(), "options", options);
    }

    private static Map<String, Object> redis(Map<String, Object> options, CacheConfig.RedisOptions redis) {
        redis.username().ifPresent(username -> options.put("username", username));
        redis.password().ifPresent(password -> options.put("password", password));
        putIfPresent(options, "db", redis.db());
        putIfPresent(options, "max_connections", redis.maxConnections());
        options.put("socket_timeout", seconds(redis.socketTimeout()));
        options.put("socket_connect_timeout", seconds(redis.socketConnectTimeout()));
        return options;
    }

    private static Map<String, Object> zone(ZoneConfig zone) {
        return map(
                "strict_testing", zone.strictTesting(),
                "timeout", seconds(zone.timeout()),
                "require_sni", zone.requireSni(),
                "tlsrpt", zone.tlsrpt(),
                "dane", zone.dane().configName());
    }

    private static String nameserver(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Whole seconds as an integer, fractions as a plain decimal: the forms the loader reads back. */
    private static Number seconds(Duration duration) {
        if (duration.getNano() == 0) {
            return duration.getSeconds();
        }
        return new BigDecimal(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros();
    }

    private static void putIfPresent(Map<String, Object> map, String key, OptionalInt value) {
        value.ifPresent(v -> map.put(key, v));
    }

    private static void putIfPresent(Map<String, Object> root, String key, Map<String, ?> others) {
        if (others.containsKey(key)) {
            root.put(key, others.get(key));
        }
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** Entries of overrides_file included: what is in force, in one place. */
    private static Map<String, Object> overrides(PolicyOverrides overrides) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (PolicyOverride entry : overrides.entries()) {
            map.put(entry.pattern(), entry.outcome() == PolicyOverride.Outcome.SECURE
                    ? map("secure", map("match", entry.match()))
                    : entry.outcome().word());
        }
        return map;
    }
}
