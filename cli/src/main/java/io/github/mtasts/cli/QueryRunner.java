package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ZoneConfig;

import java.util.Optional;

/** Discovers one domain's policy now and prints it; what {@code mtasts query} hands its arguments to. */
@FunctionalInterface
public interface QueryRunner {

    /**
     * @param zone         the settings of the zone the answer is rendered for
     * @param knownVersion the policy id already known (the Python tool's {@code known_version})
     * @return the process exit code
     */
    int run(DaemonConfig config, ZoneConfig zone, String domain, Optional<String> knownVersion) throws Exception;
}
