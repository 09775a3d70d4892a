package io.github.mtasts.cli;

import io.github.mtasts.resolver.discovery.PolicyFetcher;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * What the cache commands need beyond their arguments; production values in {@link #DEFAULT}, tests their own.
 *
 * @param defaultConfigs the configuration files tried without {@code -c}
 * @param policyPort     HTTPS port of policy hosts: 443 except in tests
 * @param clock          what "now" is when judging expiry and stamping a refresh
 */
record CacheContext(List<Path> defaultConfigs, int policyPort, Clock clock) {

    static final CacheContext DEFAULT = new CacheContext(ConfigLocation.DEFAULTS, PolicyFetcher.HTTPS_PORT,
            Clock.systemUTC());

    CacheContext {
        defaultConfigs = List.copyOf(defaultConfigs);
    }
}
