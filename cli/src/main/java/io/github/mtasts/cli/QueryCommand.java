package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ZoneConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mtasts query}, alias {@code mta-sts-query}: the arguments of postfix-mta-sts-resolver's query
 * tool plus {@code -c} and {@code --zone}, handed to a {@link QueryRunner}.
 */
@Command(name = "query", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = {"Discover a domain's MTA-STS policy now and show the reply Postfix would get.",
            "The whole discovery (TXT lookup, then policy fetch) is bounded by 10 s; dns.timeout, when shorter,"
                    + " bounds the TXT lookup."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:a valid policy was found (or known_version matches the TXT id), or an override answers OK",
            "1:the domain publishes no policy, or cannot have one (IP literal, invalid name), or an override answers"
                + " NOTFOUND",
            "2:usage or configuration error",
            "3:discovery failed: DNS failure, invalid TXT record, policy fetch error, invalid policy or certificate"})
public final class QueryCommand implements Callable<Integer> {

    static final int USAGE_ERROR = 2;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "domain", description = "Domain to fetch the MTA-STS policy of.")
    String domain;

    @Parameters(index = "1", paramLabel = "known_version", arity = "0..1",
            description = "Policy id already known; the policy is not fetched again when the TXT id matches.")
    String knownVersion;

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.INFO);

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--zone", paramLabel = "NAME",
            description = "Answer as the socketmap name NAME would (a key of zones:); default: default_zone.")
    String zone;

    private final QueryRunner runner;
    private final List<Path> defaultConfigs;

    public QueryCommand(QueryRunner runner) {
        this(runner, ConfigLocation.DEFAULTS);
    }

    QueryCommand(QueryRunner runner, List<Path> defaultConfigs) {
        this.runner = runner;
        this.defaultConfigs = List.copyOf(defaultConfigs);
    }

    @Override
    public Integer call() throws Exception {
        logging.apply();
        Optional<Path> file = config.resolve(defaultConfigs);
        DaemonConfig daemonConfig;
        try {
            daemonConfig = ConfigFiles.load(file).daemon();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("mtasts query: " + e.getMessage());
            return USAGE_ERROR;
        }
        ZoneConfig zoneConfig = daemonConfig.defaultZone();
        if (zone != null) {
            zoneConfig = daemonConfig.zones().get(zone);
            if (zoneConfig == null) {
                spec.commandLine().getErr().println("mtasts query: no zone '" + zone + "' in "
                        + file.map(Path::toString).orElse("the built-in defaults") + "; zones: "
                        + (daemonConfig.zones().isEmpty() ? "none" : String.join(", ", daemonConfig.zones().keySet())));
                return USAGE_ERROR;
            }
        }
        return runner.run(daemonConfig, zoneConfig, domain, Optional.ofNullable(knownVersion));
    }
}
