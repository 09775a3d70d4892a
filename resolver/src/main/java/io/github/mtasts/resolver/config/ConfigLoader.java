package io.github.mtasts.resolver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.mtasts.resolver.policy.PolicyOverrides;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the resolver's sections of the one configuration file ({@link ConfigDocument}) into a {@link DaemonConfig}.
 * Every key of the Python {@code postfix-mta-sts-resolver} daemon is accepted with its meaning and default, so its
 * file loads unchanged; unknown keys and bad values fail with a message naming the file and the key path. It owns
 * the top level: a key no module owns stops here.
 */
public final class ConfigLoader {

    private static final Set<String> CACHE_TYPES = Set.of("internal", "sqlite", "redis", "redis_sentinel", "postgres");
    private static final Set<String> REDIS_SCHEMES = Set.of("redis", "rediss", "unix");
    private static final Pattern OCTAL_MODE = Pattern.compile("0?o?([0-7]{1,4})");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([^\\]]+)]|([^:\\[\\]]+))(?::(\\d{1,5}))?");
    private static final Pattern ZONE_NAME = Pattern.compile("\\S+");
    private static final int MAX_POOL = 10_000;

    private ConfigLoader() {
    }

    /**
     * The resolver's sections of the parsed file: the Python daemon's top-level keys and ours. The sections other
     * modules own ({@code tlsrpt:}, {@code milter:}, {@code dashboard:}) are only checked to be mappings here.
     */
    public static DaemonConfig parse(ConfigDocument document) throws ConfigException {
        return daemon(document.rootSection());
    }

    /**
     * {@link #parse(ConfigDocument)} of configuration text; {@code source} names it in error messages. No I/O but
     * the reading of the files it names for {@code overrides_file} and {@code preload_file}.
     */
    public static DaemonConfig parse(String source, String yaml) throws ConfigException {
        return parse(ConfigDocument.parse(source, yaml));
    }

    private static DaemonConfig daemon(ConfigSection root) throws ConfigException {
        String host = root.string("host", DaemonConfig.DEFAULT_HOST);
        int port = root.integer("port", DaemonConfig.DEFAULT_PORT, 0, 65535);
        Optional<Path> path = root.optionalString("path").map(Path::of);
        OptionalInt mode = mode(root);
        SocketOwner socketOwner = SocketOwnerConfig.parse(root, path.isPresent());
        boolean reusePort = root.bool("reuse_port", true);
        Duration shutdownTimeout = root.nonNegativeSeconds("shutdown_timeout", DaemonConfig.DEFAULT_SHUTDOWN_TIMEOUT);
        Duration cacheGrace = root.nonNegativeSeconds("cache_grace", DaemonConfig.DEFAULT_CACHE_GRACE);
        CacheConfig cache = cache(root);
        ProactiveFetchConfig proactive = proactive(root.section("proactive_policy_fetching"));
        ZoneConfig defaultZone = zone(root.section("default_zone"));
        Map<String, ZoneConfig> zones = new LinkedHashMap<>();
        ConfigSection zonesSection = root.section("zones");
        for (Map.Entry<String, ConfigSection> entry : zonesSection.entries().entrySet()) {
            if (!ZONE_NAME.matcher(entry.getKey()).matches()) {
                throw zonesSection.error(entry.getKey(),
                        "a zone name must be non-empty without spaces: Postfix sends it before the domain");
            }
            if (entry.getKey().equals(ZoneConfig.ADMIN_MAP_NAME)) {
                throw zonesSection.error(entry.getKey(), "reserved for the mtasts cache commands' requests to the"
                        + " daemon; give the zone another name");
            }
            zones.put(entry.getKey(), zone(entry.getValue()));
        }
        Optional<Path> caFile = root.optionalString("ca_file").map(Path::of);
        DnsConfig dns = dns(root.section("dns"));
        HttpConfig http = http(root.section("http"));
        boolean metrics = daemonMetrics(root.section("metrics"));
        // Sections the tlsrpt module owns and reads from the same document (DashboardConfigLoader,
        // MilterConfigLoader, TlsrptConfigLoader); the resolver only checks each is a mapping.
        root.section("dashboard");
        SocketmapConfig socketmap = socketmap(root.section("socketmap"));
        root.section("milter");
        PolicyOverrides overrides = OverridesConfig.parse(root);
        List<String> preload = PreloadConfig.parse(root, overrides);
        root.section("tlsrpt");
        DnssecConfig dnssec = dnssec(root.section("dnssec"));
        root.rejectUnknownKeys();
        return new DaemonConfig(host, port, path, mode, socketOwner, reusePort, shutdownTimeout, cacheGrace, cache,
                proactive, defaultZone, zones, caFile, dns, http, metrics, socketmap, overrides, preload, dnssec);
    }

    /**
     * The UNIX socket's file mode. YAML 1.1 (PyYAML, and Jackson here) reads {@code 0666} as the octal
     * number 438, which is what the Python daemon passes to chmod; a quoted {@code "0666"} or {@code 0o666}
     * arrives as text and is read as octal too.
     */
    private static OptionalInt mode(ConfigSection root) throws ConfigException {
        Optional<JsonNode> value = root.value("mode");
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        JsonNode v = value.get();
        int mode = -1;
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            mode = v.intValue();
        } else if (v.isTextual()) {
            Matcher m = OCTAL_MODE.matcher(v.textValue());
            if (m.matches()) {
                mode = Integer.parseInt(m.group(1), 8);
            }
        }
        if (mode < 0 || mode > 0777) {
            throw root.error("mode", "an octal file mode from 0000 to 0777 such as 0660", v);
        }
        return OptionalInt.of(mode);
    }

    private static ZoneConfig zone(ConfigSection zone) throws ConfigException {
        ZoneConfig d = ZoneConfig.DEFAULT;
        ZoneConfig parsed = new ZoneConfig(
                zone.bool("strict_testing", d.strictTesting()),
                zone.positiveSecondsBelow("timeout", d.timeout(), ZoneConfig.POSTFIX_SOCKETMAP_TIMEOUT,
                        "a positive number below " + ZoneConfig.POSTFIX_SOCKETMAP_TIMEOUT.toSeconds()
                                + " (Postfix defers the mail when a socketmap lookup takes that long)"),
                zone.bool("require_sni", d.requireSni()),
                zone.bool("tlsrpt", d.tlsrpt()),
                dane(zone, d.dane()));
        zone.rejectUnknownKeys();
        return parsed;
    }

    /** YAML 1.1 reads an unquoted {@code on} or {@code off} as a boolean: both spellings mean the same. */
    private static DaneMode dane(ConfigSection zone, DaneMode defaultValue) throws ConfigException {
        Optional<JsonNode> value = zone.value("dane");
        if (value.isEmpty()) {
            return defaultValue;
        }
        JsonNode v = value.get();
        Optional<DaneMode> mode = v.isBoolean() ? Optional.of(v.booleanValue() ? DaneMode.ON : DaneMode.OFF)
                : v.isTextual() ? DaneMode.fromConfigName(v.textValue()) : Optional.empty();
        return mode.orElseThrow(() -> zone.error("dane", "one of off, on, auto", v));
    }

    private static DnssecConfig dnssec(ConfigSection section) throws ConfigException {
        Optional<JsonNode> value = section.value("validation");
        DnssecConfig.Validation validation = DnssecConfig.DEFAULT.validation();
        if (value.isPresent()) {
            String word = value.get().isTextual() ? value.get().textValue() : "";
            validation = switch (word) {
                case "resolver" -> DnssecConfig.Validation.RESOLVER;
                case "internal" -> DnssecConfig.Validation.INTERNAL;
                default -> throw section.error("validation", "resolver or internal", value.get());
            };
        }
        Optional<Path> anchors = section.optionalString("trust_anchor_file").map(Path::of);
        if (validation == DnssecConfig.Validation.INTERNAL) {
            if (anchors.isEmpty()) {
                throw section.error("trust_anchor_file", "required with validation: internal (the DS or DNSKEY"
                        + " records to validate from)");
            }
            if (!Files.isReadable(anchors.get())) {
                throw section.error("trust_anchor_file", "a readable file; cannot read " + anchors.get());
            }
        } else if (anchors.isPresent()) {
            throw section.error("trust_anchor_file", "only with validation: internal; the resolver validates"
                    + " with its own trust anchors");
        }
        section.rejectUnknownKeys();
        return new DnssecConfig(validation, anchors);
    }

    private static ProactiveFetchConfig proactive(ConfigSection section) throws ConfigException {
        ProactiveFetchConfig d = ProactiveFetchConfig.DEFAULT;
        boolean enabled = section.bool("enabled", d.enabled());
        // the Python daemon never sleeps less than a second between rounds
        Duration interval = section.secondsAtLeast("interval", d.interval(), 1);
        int concurrency = section.integer("concurrency_limit", d.concurrencyLimit(), 1, MAX_POOL);
        double graceRatio = section.positiveNumber("grace_ratio", d.graceRatio());
        section.rejectUnknownKeys();
        return new ProactiveFetchConfig(enabled, interval, concurrency, graceRatio);
    }

    /**
     * The cache key. Absent, it is our SQLite default; present without a type, it is {@code internal},
     * as in the Python daemon, so a Python file means the same here.
     */
    private static CacheConfig cache(ConfigSection root) throws ConfigException {
        if (root.value("cache").isEmpty()) {
            return CacheConfig.Sqlite.DEFAULT;
        }
        ConfigSection cache = root.section("cache");
        String type = "internal";
        Optional<JsonNode> typeValue = cache.value("type");
        if (typeValue.isPresent()) {
            if (!typeValue.get().isTextual() || !CACHE_TYPES.contains(typeValue.get().textValue())) {
                throw cache.error("type", "one of internal, sqlite, redis, redis_sentinel, postgres",
                        typeValue.get());
            }
            type = typeValue.get().textValue();
        }
        ConfigSection options = cache.section("options");
        cache.rejectUnknownKeys();
        CacheConfig parsed = switch (type) {
            case "internal" -> new CacheConfig.Internal(
                    options.integer("cache_size", CacheConfig.Internal.DEFAULT_CACHE_SIZE, 1, Integer.MAX_VALUE));
            case "sqlite" -> new CacheConfig.Sqlite(
                    Path.of(options.requiredString("filename", "for cache type sqlite: the database file")),
                    options.integer("threads", CacheConfig.Sqlite.DEFAULT.threads(), 1, MAX_POOL),
                    options.positiveSeconds("timeout", CacheConfig.DEFAULT_STORE_TIMEOUT));
            case "redis" -> new CacheConfig.Redis(redisUrl(options), redisOptions(options));
            case "redis_sentinel" -> new CacheConfig.RedisSentinel(
                    options.requiredString("sentinel_master_name", "for cache type redis_sentinel"),
                    sentinels(options), redisOptions(options));
            case "postgres" -> new CacheConfig.Postgres(
                    options.requiredString("dsn", "for cache type postgres: a postgres:// connection URI"),
                    options.positiveSeconds("timeout", CacheConfig.DEFAULT_STORE_TIMEOUT),
                    options.optionalInteger("min_size", 0, MAX_POOL),
                    options.optionalInteger("max_size", 1, MAX_POOL));
            default -> throw new IllegalStateException("cache type checked above: " + type);
        };
        options.rejectUnknownKeys(" for cache type " + type);
        return parsed;
    }

    private static String redisUrl(ConfigSection options) throws ConfigException {
        String url = options.requiredString("url", "for cache type redis: a redis://, rediss:// or unix:// URL");
        try {
            URI uri = new URI(url);
            if (uri.getScheme() != null && REDIS_SCHEMES.contains(uri.getScheme())) {
                return url;
            }
        } catch (URISyntaxException e) {
            // reported below with the expectation
        }
        throw options.error("url", "a redis://, rediss:// or unix:// URL", JsonNodeFactory.instance.textNode(url));
    }

    private static CacheConfig.RedisOptions redisOptions(ConfigSection options) throws ConfigException {
        return new CacheConfig.RedisOptions(
                options.optionalString("username"),
                options.optionalString("password"),
                options.optionalInteger("db", 0, Integer.MAX_VALUE),
                options.optionalInteger("max_connections", 1, MAX_POOL),
                options.positiveSeconds("socket_timeout", CacheConfig.DEFAULT_STORE_TIMEOUT),
                options.positiveSeconds("socket_connect_timeout", CacheConfig.DEFAULT_STORE_TIMEOUT));
    }

    /** {@code sentinels: [[host, port], ...]}, the pairs the Python daemon hands to its Sentinel client. */
    private static List<CacheConfig.Sentinel> sentinels(ConfigSection options) throws ConfigException {
        Optional<JsonNode> value = options.value("sentinels");
        if (value.isEmpty() || !value.get().isArray() || value.get().isEmpty()) {
            throw options.error("sentinels", "a non-empty list of [host, port] pairs",
                    value.orElse(JsonNodeFactory.instance.nullNode()));
        }
        List<CacheConfig.Sentinel> sentinels = new ArrayList<>();
        for (int i = 0; i < value.get().size(); i++) {
            JsonNode pair = value.get().get(i);
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || pair.get(0).textValue().isEmpty()
                    || !pair.get(1).isIntegralNumber() || pair.get(1).asLong() < 1 || pair.get(1).asLong() > 65535) {
                throw options.error("sentinels[" + i + "]", "a [host, port] pair with a port from 1 to 65535", pair);
            }
            sentinels.add(new CacheConfig.Sentinel(pair.get(0).textValue(), pair.get(1).intValue()));
        }
        return sentinels;
    }

    private static DnsConfig dns(ConfigSection section) throws ConfigException {
        List<InetSocketAddress> nameservers = new ArrayList<>();
        Optional<JsonNode> list = section.value("nameservers");
        if (list.isPresent()) {
            if (!list.get().isArray()) {
                throw section.error("nameservers", "a list of IP addresses, each optionally with :port", list.get());
            }
            for (int i = 0; i < list.get().size(); i++) {
                nameservers.add(nameserver(section, "nameservers[" + i + "]", list.get().get(i)));
            }
        }
        Optional<Duration> timeout = section.optionalPositiveSeconds("timeout");
        section.rejectUnknownKeys();
        return new DnsConfig(nameservers, timeout);
    }

    /**
     * {@code 192.0.2.1}, {@code 192.0.2.1:5353}, {@code 2001:db8::1} or {@code [2001:db8::1]:5353}. Only IP
     * literals: resolving a name server's host name would itself need DNS.
     */
    private static InetSocketAddress nameserver(ConfigSection section, String key, JsonNode value)
            throws ConfigException {
        String expected = "an IP address, optionally with :port (IPv6 as [address]:port)";
        if (!value.isTextual()) {
            throw section.error(key, expected, value);
        }
        String text = value.textValue();
        String host;
        int port = 53;
        if (!text.startsWith("[") && text.indexOf(':') != text.lastIndexOf(':')) {
            host = text;
        } else {
            Matcher m = HOST_PORT.matcher(text);
            if (!m.matches()) {
                throw section.error(key, expected, value);
            }
            host = m.group(1) != null ? m.group(1) : m.group(2);
            if (m.group(3) != null) {
                port = Integer.parseInt(m.group(3));
                if (port < 1 || port > 65535) {
                    throw section.error(key, expected, value);
                }
            }
        }
        boolean literal = host.contains(":") ? host.matches("[0-9A-Fa-f:.]+") : isIpv4(host);
        if (!literal) {
            throw section.error(key, expected, value);
        }
        try {
            // a literal: getByName parses it without any lookup
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw section.error(key, expected, value);
        }
    }

    private static boolean isIpv4(String host) {
        if (!IPV4.matcher(host).matches()) {
            return false;
        }
        for (String octet : host.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static HttpConfig http(ConfigSection section) throws ConfigException {
        HttpConfig d = HttpConfig.DEFAULT;
        HttpConfig parsed = new HttpConfig(section.string("host", d.host()), section.integer("port", d.port(), 0, 65535));
        section.rejectUnknownKeys();
        return parsed;
    }

    /** The daemon's metrics are one more path on its HTTP listener; the address is {@code http:}'s. */
    private static boolean daemonMetrics(ConfigSection section) throws ConfigException {
        for (String key : List.of("host", "port")) {
            section.rejectMovedKey(key, "use http." + key + ": one HTTP listener serves /metrics and the dashboard");
        }
        boolean enabled = section.bool("enabled", false);
        section.rejectUnknownKeys();
        return enabled;
    }

    private static SocketmapConfig socketmap(ConfigSection section) throws ConfigException {
        SocketmapConfig d = SocketmapConfig.DEFAULT;
        SocketmapConfig parsed = new SocketmapConfig(
                section.integer("max_connections", d.maxConnections(), 1, 1_000_000),
                section.positiveSeconds("idle_timeout", d.idleTimeout()),
                section.integer("max_request_length", d.maxRequestLength(), 1, 1 << 20),
                transport(section, d.transport()));
        section.rejectUnknownKeys();
        return parsed;
    }

    private static SocketmapConfig.Transport transport(ConfigSection section, SocketmapConfig.Transport defaultValue)
            throws ConfigException {
        Optional<JsonNode> value = section.value("transport");
        if (value.isEmpty()) {
            return defaultValue;
        }
        Optional<SocketmapConfig.Transport> transport = value.get().isTextual()
                ? SocketmapConfig.Transport.fromConfigName(value.get().textValue())
                : Optional.empty();
        return transport.orElseThrow(() -> section.error("transport", "one of auto, io_uring, epoll, nio",
                value.get()));
    }
}
