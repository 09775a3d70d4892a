package io.github.mtasts.resolver.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigWriterTest {

    @Test
    void defaultsRenderEveryKeyAndLoadBackEqual() throws Exception {
        String yaml = ConfigWriter.toYaml(DaemonConfig.defaults());

        assertThat(yaml).contains("port: 8461", "filename: /var/lib/mtasts/cache.db", "grace_ratio: 2.0",
                "require_sni: true", "max_request_length: 4096", "transport: auto");
        assertThat(ConfigLoader.parse("rendered", yaml)).isEqualTo(DaemonConfig.defaults());
    }

    @Test
    void everySettingSurvivesRenderingAndLoading() throws Exception {
        for (String cache : new String[] {
                "{type: internal, options: {cache_size: 12}}",
                "{type: sqlite, options: {filename: /tmp/c.db, threads: 3, timeout: 0.25}}",
                "{type: redis, options: {url: \"rediss://r.example:6380/2\", username: u, password: p, db: 2,"
                        + " max_connections: 9, socket_timeout: 2, socket_connect_timeout: 3}}",
                "{type: redis_sentinel, options: {sentinel_master_name: m, sentinels: [[s1, 26379]]}}",
                "{type: postgres, options: {dsn: \"postgres://u@db/x\", timeout: 7, min_size: 1, max_size: 4}}"}) {
            DaemonConfig config = ConfigLoader.parse("original", """
                    path: /run/mtasts/socketmap.sock
                    mode: 0660
                    reuse_port: false
                    shutdown_timeout: 2.5
                    cache_grace: 0
                    cache: %s
                    proactive_policy_fetching: {enabled: true, interval: 600, concurrency_limit: 5, grace_ratio: 1.5}
                    default_zone: {strict_testing: true, timeout: 1.75, require_sni: false, tlsrpt: true}
                    zones: {b: {timeout: 9}, a: {tlsrpt: true}}
                    ca_file: /etc/ssl/private-ca.pem
                    dns: {nameservers: ["127.0.0.53", "[::1]:5353"], timeout: 0.5}
                    http: {port: 9100}
                    metrics: {enabled: true}
                    dashboard: {enabled: true, token: t0k}
                    socketmap: {max_connections: 7, idle_timeout: 12, max_request_length: 300, transport: nio}
                    """.formatted(cache));

            String yaml = ConfigWriter.toYaml(config);

            assertThat(ConfigLoader.parse("rendered", yaml)).as(yaml).isEqualTo(config);
            assertThat(yaml).contains("mode: '0660'");
        }
    }
}
