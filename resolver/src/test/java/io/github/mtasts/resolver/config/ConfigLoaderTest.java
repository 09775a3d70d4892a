package io.github.mtasts.resolver.config;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    private static DaemonConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("test.yml", yaml);
    }

    @Test
    void emptyFileMeansEveryDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mtasts.yml");
        Files.writeString(file, "");

        DaemonConfig config = ConfigLoader.parse(ConfigDocument.read(file));

        assertThat(config).isEqualTo(DaemonConfig.defaults());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8461);
        assertThat(config.path()).isEmpty();
        assertThat(config.mode()).isEmpty();
        assertThat(config.reusePort()).isTrue();
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.cacheGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.proactivePolicyFetching())
                .isEqualTo(new ProactiveFetchConfig(false, Duration.ofSeconds(86400), 100, 2.0));
        assertThat(config.defaultZone()).isEqualTo(new ZoneConfig(false, Duration.ofSeconds(4), true, false, DaneMode.AUTO));
        assertThat(config.zones()).isEmpty();
        assertThat(config.caFile()).isEmpty();
        assertThat(config.dns()).isEqualTo(new DnsConfig(List.of(), Optional.empty()));
        assertThat(config.http()).isEqualTo(new HttpConfig("127.0.0.1", 9461));
        assertThat(config.metrics()).isFalse();
        assertThat(config.socketmap())
                .isEqualTo(new SocketmapConfig(1024, Duration.ofSeconds(300), 4096, SocketmapConfig.Transport.AUTO));
    }

    @Test
    void metricsAddressNamesTheHttpKeyThatReplacesIt() {
        assertThatThrownBy(() -> parse("metrics: {enabled: true, port: 9100}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: metrics.port: no longer accepted here: use http.port: one HTTP listener"
                        + " serves /metrics and the dashboard");
    }

    @Test
    void absentCacheKeyMeansTheSqliteFileSoARestartKeepsPolicies() throws Exception {
        CacheConfig cache = parse("port: 8461\n").cache();

        assertThat(cache).isInstanceOf(CacheConfig.Sqlite.class);
        CacheConfig.Sqlite sqlite = (CacheConfig.Sqlite) cache;
        assertThat(sqlite.filename()).isEqualTo(Path.of("/var/lib/mtasts/cache.db"));
        assertThat(sqlite.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(sqlite.timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"---\n", "# only a comment\n", "---\n...\n", "\n\n"})
    void emptyDocumentMeansEveryDefault(String yaml) throws Exception {
        assertThat(parse(yaml)).isEqualTo(DaemonConfig.defaults());
    }

    @Test
    void pythonDaemonInternalCacheFileLoadsWithItsValues() throws Exception {
        DaemonConfig config = parse("""
                host: 127.0.0.1
                port: 8461
                reuse_port: true
                shutdown_timeout: 20
                cache:
                  type: internal
                  options:
                    cache_size: 5000
                default_zone:
                  strict_testing: false
                  timeout: 4
                  #tlsrpt: true
                zones:
                  strict:
                    strict_testing: true
                    timeout: 10
                """);

        assertThat(config.cache()).isEqualTo(new CacheConfig.Internal(5000));
        assertThat(config.defaultZone()).isEqualTo(new ZoneConfig(false, Duration.ofSeconds(4), true, false, DaneMode.AUTO));
        assertThat(config.zones()).containsOnlyKeys("strict");
        assertThat(config.zone("strict")).isEqualTo(new ZoneConfig(true, Duration.ofSeconds(10), true, false, DaneMode.AUTO));
        assertThat(config.zone("postfix")).isSameAs(config.defaultZone());
    }

    @Test
    void pythonDaemonSqliteUnixSocketFileLoadsWithOctalMode() throws Exception {
        DaemonConfig config = parse("""
                path: "/var/run/mta-sts.sock"
                mode: 0666
                shutdown_timeout: 20
                cache:
                  type: sqlite
                  options:
                    filename: "/var/lib/mta-sts/cache.db"
                default_zone:
                  strict_testing: false
                  timeout: 4
                """);

        assertThat(config.path()).contains(Path.of("/var/run/mta-sts.sock"));
        assertThat(config.mode()).isEqualTo(OptionalInt.of(0666));
        assertThat(config.cache()).isEqualTo(new CacheConfig.Sqlite(Path.of("/var/lib/mta-sts/cache.db"),
                Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(5)));
    }

    @Test
    void pythonDaemonRedisFileLoadsWithItsOptions() throws Exception {
        DaemonConfig config = parse("""
                cache:
                  type: redis
                  options:
                    url: "redis://127.0.0.1/0"
                    max_connections: 25
                    socket_timeout: 1.0
                    socket_connect_timeout: 1.5
                """);

        assertThat(config.cache()).isEqualTo(new CacheConfig.Redis("redis://127.0.0.1/0",
                new CacheConfig.RedisOptions(Optional.empty(), Optional.empty(), OptionalInt.empty(),
                        OptionalInt.of(25), Duration.ofSeconds(1), Duration.ofMillis(1500))));
    }

    @Test
    void pythonDaemonRedisSentinelFileLoadsWithItsSentinels() throws Exception {
        DaemonConfig config = parse("""
                cache:
                  type: redis_sentinel
                  options:
                    sentinel_master_name: "main"
                    sentinels:
                      - ["sentinel-a", 26379]
                      - ["sentinel-b", 26380]
                    password: "secret"
                    max_connections: 25
                """);

        assertThat(config.cache()).isEqualTo(new CacheConfig.RedisSentinel("main",
                List.of(new CacheConfig.Sentinel("sentinel-a", 26379), new CacheConfig.Sentinel("sentinel-b", 26380)),
                new CacheConfig.RedisOptions(Optional.empty(), Optional.of("secret"), OptionalInt.empty(),
                        OptionalInt.of(25), Duration.ofSeconds(5), Duration.ofSeconds(5))));
    }

    @Test
    void pythonDaemonPostgresFileLoadsWithItsDsn() throws Exception {
        DaemonConfig config = parse("""
                cache:
                  type: postgres
                  options:
                    dsn: postgres://mtasts@%2Frun%2Fpostgresql/mtasts
                """);

        assertThat(config.cache()).isEqualTo(new CacheConfig.Postgres("postgres://mtasts@%2Frun%2Fpostgresql/mtasts",
                Duration.ofSeconds(5), OptionalInt.empty(), OptionalInt.empty()));
    }

    @Test
    void cacheWithoutTypeIsInternalAsInThePythonDaemon() throws Exception {
        assertThat(parse("cache: {}\n").cache()).isEqualTo(new CacheConfig.Internal(10000));
        assertThat(parse("cache:\n  options:\n    cache_size: 7\n").cache()).isEqualTo(new CacheConfig.Internal(7));
    }

    @Test
    void tlsrptSectionIsLeftToTheTlsrptModuleButMustBeAMapping() throws Exception {
        assertThat(parse("port: 9000\ntlsrpt:\n  sources: [/var/log/mail.log]\n").port()).isEqualTo(9000);
        assertThatThrownBy(() -> parse("tlsrpt: yes\n")).isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: tlsrpt: expected a mapping, got true");
    }

    @Test
    void milterAndDashboardSectionsAreLeftToTheTlsrptModuleButMustBeMappings() throws Exception {
        assertThat(parse("port: 9000\nmilter: {colour: blue}\ndashboard: {colour: blue}\n").port()).isEqualTo(9000);
        assertThatThrownBy(() -> parse("milter: yes\n")).isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: milter: expected a mapping, got true");
        assertThatThrownBy(() -> parse("dashboard: [a]\n")).isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: dashboard: expected a mapping, got a list");
    }

    @Test
    void proactiveFetchingKeysAreRead() throws Exception {
        DaemonConfig config = parse("""
                proactive_policy_fetching:
                  enabled: true
                  interval: 3600.5
                  concurrency_limit: 10
                  grace_ratio: 2
                """);

        assertThat(config.proactivePolicyFetching())
                .isEqualTo(new ProactiveFetchConfig(true, Duration.ofMillis(3600_500), 10, 2.0));
    }

    @Test
    void proactiveFetchingKeysNotGivenKeepTheirDefaults() throws Exception {
        assertThat(parse("proactive_policy_fetching:\n  enabled: true\n").proactivePolicyFetching())
                .isEqualTo(new ProactiveFetchConfig(true, Duration.ofSeconds(86400), 100, 2.0));
    }

    @Test
    void fractionalSecondsAreKept() throws Exception {
        DaemonConfig config = parse("shutdown_timeout: 0.5\ncache_grace: 0\ndefault_zone: {timeout: 2.25}\n");

        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.cacheGrace()).isEqualTo(Duration.ZERO);
        assertThat(config.defaultZone().timeout()).isEqualTo(Duration.ofMillis(2250));
    }

    @Test
    void perZoneTlsrptAndRequireSniAreRead() throws Exception {
        DaemonConfig config = parse("zones:\n  reports: {tlsrpt: true, require_sni: false}\n  plain:\n");

        assertThat(config.zone("reports")).isEqualTo(new ZoneConfig(false, Duration.ofSeconds(4), false, true, DaneMode.AUTO));
        assertThat(config.zone("plain")).isEqualTo(ZoneConfig.DEFAULT);
        assertThat(config.zones().keySet()).containsExactly("reports", "plain");
    }

    @Test
    void nullValueTakesTheDefault() throws Exception {
        assertThat(parse("port:\nzones:\ndefault_zone:\n")).isEqualTo(DaemonConfig.defaults());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mode: 0660", "mode: \"0660\"", "mode: \"660\"", "mode: 0o660", "mode: 432"})
    void modeIsReadAsOctalInEveryForm(String yaml) throws Exception {
        assertThat(parse("path: /run/mtasts.sock\n" + yaml + "\n").mode()).isEqualTo(OptionalInt.of(0660));
    }

    @Test
    void ownerAndGroupOfTheUnixSocketAreRead() throws Exception {
        DaemonConfig config = parse("path: /var/spool/postfix/private/mtasts\nmode: 0660\ngroup: postfix\n");
        assertThat(config.socketOwner()).isEqualTo(new SocketOwner(Optional.empty(), Optional.of("postfix")));
        assertThat(parse("").socketOwner()).isEqualTo(SocketOwner.UNCHANGED);
    }

    @Test
    void ownerWithoutUnixSocketIsRefused() {
        assertThatThrownBy(() -> parse("owner: postfix\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: owner: only meaningful with path (a UNIX socket); the TCP listener has no owner");
    }

    @Test
    void groupThatCannotBeANameIsRefused() {
        assertThatThrownBy(() -> parse("path: /run/mtasts.sock\ngroup: \"post fix\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: group: not a group name: \"post fix\"");
    }

    @Test
    void ourSectionsAreRead() throws Exception {
        DaemonConfig config = parse("""
                ca_file: /etc/mtasts/ca.pem
                dns:
                  nameservers: ["192.0.2.53", "192.0.2.54:5353", "2001:db8::53", "[2001:db8::54]:5300"]
                  timeout: 1.5
                http: {host: 0.0.0.0, port: 9100}
                metrics: {enabled: true}
                dashboard: {token: s3cret}
                socketmap: {max_connections: 50, idle_timeout: 30, max_request_length: 512, transport: io_uring}
                """);

        assertThat(config.caFile()).contains(Path.of("/etc/mtasts/ca.pem"));
        assertThat(config.dns().nameservers()).containsExactly(
                new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 53),
                new InetSocketAddress(InetAddress.getByName("192.0.2.54"), 5353),
                new InetSocketAddress(InetAddress.getByName("2001:db8::53"), 53),
                new InetSocketAddress(InetAddress.getByName("2001:db8::54"), 5300));
        assertThat(config.dns().timeout()).contains(Duration.ofMillis(1500));
        assertThat(config.http()).isEqualTo(new HttpConfig("0.0.0.0", 9100));
        assertThat(config.metrics()).isTrue();
        assertThat(config.socketmap())
                .isEqualTo(new SocketmapConfig(50, Duration.ofSeconds(30), 512, SocketmapConfig.Transport.IO_URING));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "io_uring", "epoll", "nio"})
    void socketmapTransportTakesEachNamedTransport(String name) throws Exception {
        DaemonConfig config = parse("socketmap: {transport: " + name + "}\n");

        assertThat(config.socketmap().transport().configName()).isEqualTo(name);
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("socketmap: {transport: kqueue}\n",
                        "test.yml: socketmap.transport: expected one of auto, io_uring, epoll, nio, got \"kqueue\""),
                Arguments.of("socketmap: {transport: IO_URING}\n",
                        "test.yml: socketmap.transport: expected one of auto, io_uring, epoll, nio, got \"IO_URING\""),
                Arguments.of("socketmap: {transport: 1}\n",
                        "test.yml: socketmap.transport: expected one of auto, io_uring, epoll, nio, got 1"),
                Arguments.of("zones:\n  strict:\n    timeout: fast\n",
                        "test.yml: zones.strict.timeout: expected a positive number, got \"fast\""),
                Arguments.of("default_zone:\n  timeout: -1\n",
                        "test.yml: default_zone.timeout: expected a positive number, got -1"),
                Arguments.of("zones:\n  slow: {timeout: 100}\n", "test.yml: zones.slow.timeout: expected a positive"
                        + " number below 100 (Postfix defers the mail when a socketmap lookup takes that long), got 100"),
                Arguments.of("default_zone:\n  timeout: 0\n",
                        "test.yml: default_zone.timeout: expected a positive number, got 0"),
                Arguments.of("default_zone:\n  timeout: 0.0000000001\n",
                        "test.yml: default_zone.timeout: expected a positive number, got 1.0E-10"),
                Arguments.of("port: 70000\n", "test.yml: port: expected an integer from 0 to 65535, got 70000"),
                Arguments.of("port: \"8461\"\n", "test.yml: port: expected an integer from 0 to 65535, got \"8461\""),
                Arguments.of("port: 8461.5\n", "test.yml: port: expected an integer from 0 to 65535, got 8461.5"),
                Arguments.of("host: [a, b]\n", "test.yml: host: expected a non-empty string, got a list"),
                Arguments.of("reuse_port: \"yes\"\n", "test.yml: reuse_port: expected true or false, got \"yes\""),
                Arguments.of("zones: {z: {tlsrpt: 1}}\n", "test.yml: zones.z.tlsrpt: expected true or false, got 1"),
                Arguments.of("cache_grace: -5\n", "test.yml: cache_grace: expected a number >= 0, got -5"),
                Arguments.of("shutdown_timeout: soon\n",
                        "test.yml: shutdown_timeout: expected a number >= 0, got \"soon\""),
                Arguments.of("mode: 0888\n",
                        "test.yml: mode: expected an octal file mode from 0000 to 0777 such as 0660, got \"0888\""),
                Arguments.of("mode: 01777\n",
                        "test.yml: mode: expected an octal file mode from 0000 to 0777 such as 0660, got 1023"),
                Arguments.of("mode: rw\n",
                        "test.yml: mode: expected an octal file mode from 0000 to 0777 such as 0660, got \"rw\""),
                Arguments.of("cache:\n  type: memcached\n", "test.yml: cache.type: expected one of internal, sqlite,"
                        + " redis, redis_sentinel, postgres, got \"memcached\""),
                Arguments.of("cache:\n  type: internal\n  options:\n    filename: /tmp/x.db\n",
                        "test.yml: cache.options.filename: unknown key for cache type internal; expected one of"
                                + " cache_size"),
                Arguments.of("cache:\n  type: sqlite\n", "test.yml: cache.options.filename: required for cache type"
                        + " sqlite: the database file"),
                Arguments.of("cache:\n  type: sqlite\n  options: {filename: /x.db, threads: 0}\n",
                        "test.yml: cache.options.threads: expected an integer from 1 to 10000, got 0"),
                Arguments.of("cache:\n  type: internal\n  size: 3\n",
                        "test.yml: cache.size: unknown key; expected one of type, options"),
                Arguments.of("cache:\n  type: redis\n  options: {url: \"http://127.0.0.1/\"}\n",
                        "test.yml: cache.options.url: expected a redis://, rediss:// or unix:// URL,"
                                + " got \"http://127.0.0.1/\""),
                Arguments.of("cache:\n  type: redis_sentinel\n  options:\n    sentinel_master_name: m\n"
                                + "    sentinels: [[\"s1\", 0]]\n",
                        "test.yml: cache.options.sentinels[0]: expected a [host, port] pair with a port from 1 to"
                                + " 65535, got a list"),
                Arguments.of("cache:\n  type: postgres\n  options: {}\n", "test.yml: cache.options.dsn: required for"
                        + " cache type postgres: a postgres:// connection URI"),
                Arguments.of("hots: 0.0.0.0\n", "test.yml: hots: unknown key; expected one of host, port, path,"
                        + " mode, owner, group, reuse_port, shutdown_timeout, cache_grace, cache,"
                        + " proactive_policy_fetching, default_zone, zones, ca_file, dns, http, metrics, dashboard,"
                        + " socketmap, milter, overrides, overrides_file, preload, preload_file, tlsrpt, dnssec"),
                Arguments.of("zones:\n  z:\n    strict: true\n", "test.yml: zones.z.strict: unknown key; expected"
                        + " one of strict_testing, timeout, require_sni, tlsrpt, dane"),
                Arguments.of("default_zone: {dane: maybe}\n", "test.yml: default_zone.dane: expected one of off, on,"
                        + " auto, got \"maybe\""),
                Arguments.of("dnssec: {validation: ad}\n", "test.yml: dnssec.validation: expected resolver or internal,"
                        + " got \"ad\""),
                Arguments.of("dnssec: {validation: internal}\n", "test.yml: dnssec.trust_anchor_file: required with"
                        + " validation: internal (the DS or DNSKEY records to validate from)"),
                Arguments.of("dnssec: {validation: internal, trust_anchor_file: /nonexistent/anchors}\n",
                        "test.yml: dnssec.trust_anchor_file: a readable file; cannot read /nonexistent/anchors"),
                Arguments.of("dnssec: {trust_anchor_file: /etc/hostname}\n", "test.yml: dnssec.trust_anchor_file:"
                        + " only with validation: internal; the resolver validates with its own trust anchors"),
                Arguments.of("zones: [a, b]\n", "test.yml: zones: expected a mapping, got a list"),
                Arguments.of("zones:\n  mtasts-admin: {}\n", "test.yml: zones.mtasts-admin: reserved for the mtasts"
                        + " cache commands' requests to the daemon; give the zone another name"),
                Arguments.of("zones:\n  \"my zone\": {}\n", "test.yml: zones.my zone: a zone name must be non-empty"
                        + " without spaces: Postfix sends it before the domain"),
                Arguments.of("proactive_policy_fetching: {interval: 0}\n", "test.yml: proactive_policy_fetching"
                        + ".interval: expected a number >= 1, got 0"),
                Arguments.of("proactive_policy_fetching: {grace_ratio: 0}\n", "test.yml: proactive_policy_fetching"
                        + ".grace_ratio: expected a positive number, got 0"),
                Arguments.of("proactive_policy_fetching: {concurrency_limit: 1.5}\n", "test.yml:"
                        + " proactive_policy_fetching.concurrency_limit: expected an integer from 1 to 10000,"
                        + " got 1.5"),
                Arguments.of("dns: {nameservers: [ns1.example.net]}\n", "test.yml: dns.nameservers[0]: expected an"
                        + " IP address, optionally with :port (IPv6 as [address]:port), got \"ns1.example.net\""),
                Arguments.of("dns: {nameservers: [\"192.0.2.1\", \"300.0.2.1\"]}\n", "test.yml: dns.nameservers[1]:"
                        + " expected an IP address, optionally with :port (IPv6 as [address]:port), got"
                        + " \"300.0.2.1\""),
                Arguments.of("dns: {nameservers: [\"[::1]:70000\"]}\n", "test.yml: dns.nameservers[0]: expected an"
                        + " IP address, optionally with :port (IPv6 as [address]:port), got \"[::1]:70000\""),
                Arguments.of("dns: {nameservers: 192.0.2.1}\n", "test.yml: dns.nameservers: expected a list of IP"
                        + " addresses, each optionally with :port, got \"192.0.2.1\""),
                Arguments.of("dns: {timeout: -2}\n", "test.yml: dns.timeout: expected a positive number, got -2"),
                Arguments.of("http: {port: -1}\n",
                        "test.yml: http.port: expected an integer from 0 to 65535, got -1"),
                Arguments.of("metrics: {enable: true}\n",
                        "test.yml: metrics.enable: unknown key; expected one of enabled"),
                Arguments.of("socketmap: {max_request_length: 0}\n", "test.yml: socketmap.max_request_length:"
                        + " expected an integer from 1 to 1048576, got 0"),
                Arguments.of("- host\n", "test.yml: expected a mapping of keys at the top level, got a list"),
                Arguments.of("just a string\n",
                        "test.yml: expected a mapping of keys at the top level, got \"just a string\""),
                Arguments.of("port: 1\nport: 2\n", "test.yml: line 2: invalid YAML: duplicate key 'port'"));
    }

    @Test
    void daneIsAutoUnlessSetAndOnOffParseQuotedOrNot() throws Exception {
        DaemonConfig config = parse("zones:\n  a: {dane: on}\n  b: {dane: \"off\"}\n  c: {dane: auto}\n  d: {}\n");
        assertThat(config.zone("a").dane()).isEqualTo(DaneMode.ON);
        assertThat(config.zone("b").dane()).isEqualTo(DaneMode.OFF);
        assertThat(config.zone("c").dane()).isEqualTo(DaneMode.AUTO);
        assertThat(config.zone("d").dane()).isEqualTo(DaneMode.AUTO);
        assertThat(config.dnssec()).isEqualTo(DnssecConfig.DEFAULT);
    }

    @Test
    void internalValidationNamesItsTrustAnchors(@TempDir Path dir) throws Exception {
        Path anchors = Files.writeString(dir.resolve("anchors"), "example. IN DS 1 13 2 00\n");
        DaemonConfig config = parse("dnssec:\n  validation: internal\n  trust_anchor_file: " + anchors + "\n");
        assertThat(config.dnssec()).isEqualTo(new DnssecConfig(DnssecConfig.Validation.INTERNAL,
                Optional.of(anchors)));
    }

    @Test
    void daneDecidedAtStartFollowsAutoAndTheSource() throws Exception {
        DaemonConfig config = parse("default_zone: {dane: auto}\nzones:\n  on: {dane: on}\n  off: {dane: off}\n");
        DaemonConfig postfixDnssec = config.withDaneDecided(true, true);
        assertThat(postfixDnssec.defaultZone().dane()).isEqualTo(DaneMode.ON);
        assertThat(postfixDnssec.zone("on").dane()).isEqualTo(DaneMode.ON);
        assertThat(postfixDnssec.zone("off").dane()).isEqualTo(DaneMode.OFF);
        DaemonConfig postfixWithout = config.withDaneDecided(false, true);
        assertThat(postfixWithout.defaultZone().dane()).isEqualTo(DaneMode.OFF);
        assertThat(postfixWithout.zone("on").dane()).isEqualTo(DaneMode.ON);
        DaemonConfig noSource = config.withDaneDecided(true, false);
        assertThat(noSource.anyZoneDane(DaneMode.ON)).isFalse();
        assertThat(noSource.anyZoneDane(DaneMode.AUTO)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badValueFailsNamingFileAndKey(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void yamlSyntaxErrorNamesLineAndColumn() {
        assertThatThrownBy(() -> parse("port: 8461\nzones: [a\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: line 3, column 1: invalid YAML: expected ',' or ']'");
    }

    @Test
    void errorFromAFileNamesItsPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mtasts.yml");
        Files.writeString(file, "zones:\n  strict:\n    timeout: fast\n");

        assertThatThrownBy(() -> ConfigLoader.parse(ConfigDocument.read(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": zones.strict.timeout: expected a positive number, got \"fast\"");
    }

    @Test
    void missingFileIsAConfigError(@TempDir Path dir) {
        Path file = dir.resolve("absent.yml");

        assertThatThrownBy(() -> ConfigLoader.parse(ConfigDocument.read(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": no such file");
    }

    @Property(tries = 300)
    void noTextMakesTheLoaderFailWithAnythingButConfigException(@ForAll String yaml) {
        assertParsesOrFailsWithConfigException(yaml);
    }

    @Property(tries = 1000)
    void noValueOfAnyKeyMakesTheLoaderFailWithAnythingButConfigException(
            @ForAll("keyTemplates") String template, @ForAll("scalars") String scalar) {
        assertParsesOrFailsWithConfigException(template.replace("%s", scalar));
    }

    private static void assertParsesOrFailsWithConfigException(String yaml) {
        try {
            assertThat(parse(yaml)).isNotNull();
        } catch (ConfigException e) {
            assertThat(e).hasMessageStartingWith("test.yml: ");
        }
    }

    @Provide
    Arbitrary<String> keyTemplates() {
        return Arbitraries.of(
                "host: %s", "port: %s", "path: %s", "mode: %s", "reuse_port: %s", "shutdown_timeout: %s",
                "cache_grace: %s", "cache: %s", "cache: {type: %s}", "cache: {options: {cache_size: %s}}",
                "cache: {type: sqlite, options: {filename: %s}}",
                "cache: {type: sqlite, options: {filename: /x.db, threads: %s, timeout: %s}}",
                "cache: {type: redis, options: {url: %s}}",
                "cache: {type: redis, options: {url: 'redis://h', db: %s, socket_timeout: %s}}",
                "cache: {type: redis_sentinel, options: {sentinel_master_name: m, sentinels: %s}}",
                "cache: {type: redis_sentinel, options: {sentinel_master_name: m, sentinels: [[%s, 1]]}}",
                "cache: {type: postgres, options: {dsn: %s, min_size: %s}}",
                "proactive_policy_fetching: {enabled: %s, interval: %s}",
                "proactive_policy_fetching: {concurrency_limit: %s, grace_ratio: %s}",
                "default_zone: {timeout: %s, strict_testing: %s}", "default_zone: %s", "zones: %s",
                "zones: {%s: {}}", "zones: {z: {timeout: %s, tlsrpt: %s}}", "ca_file: %s",
                "dns: {nameservers: [%s], timeout: %s}", "dns: {nameservers: %s}", "http: {port: %s, host: %s}",
                "metrics: {enabled: %s}",
                "socketmap: {max_connections: %s, idle_timeout: %s, max_request_length: %s}");
    }

    @Provide
    Arbitrary<String> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.of("~", "[]", "{}", "[[]]", "''", ".inf", "-.inf", ".nan", "1e-12", "1e400", "-0",
                        "0x1F", "0o17", "0777", "1_000", "99999999999999999999", "true", "yes", "'0660'",
                        "\"[::1]:53\"", "\"300.1.1.1\"", "\"1.2.3.4:0\"", "[a, 1]", "&a 1", "*b", "!!binary AA=="),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.strings().alpha().numeric().withChars(".:-[]_/ ").ofMaxLength(20));
    }
}
