package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.socketmap.PostfixReply;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.text.LogSafe;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mtasts cache show DOMAIN}: the stored policy of one domain, why it is there (times, last error) and the
 * reply Postfix gets for it now in each zone.
 */
@Command(name = "show", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Show the stored policy of DOMAIN: policy text, TXT id, fetched / expires / last checked times"
                + " (UTC), the last discovery error, and the reply Postfix gets now in each zone.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the store holds a policy for DOMAIN (usable or expired)",
            "1:the store holds no policy for DOMAIN: the daemon discovers it at its next lookup",
            CacheSubcommand.EXIT_USAGE, CacheSubcommand.EXIT_STORE})
final class CacheShowCommand extends CacheSubcommand {

    @Parameters(index = "0", paramLabel = "DOMAIN", description = "The policy domain.")
    String key;

    CacheShowCommand(CacheContext context) {
        super(context);
    }

    @Override
    int run(DaemonConfig config, PolicyStore store) {
        Optional<String> parsed = policyDomain(key);
        if (parsed.isEmpty()) {
            return NOT_STORED;
        }
        String domain = parsed.get();
        Optional<CachedPolicy> stored = store.load(domain);
        Optional<DiscoveryFailureCount> error = CacheListCommand.lastError(store, domain);
        Instant now = context.clock().instant();
        Optional<PolicyOverride> override = config.overrides().find(domain);
        out().println("domain: " + domain);
        if (stored.isEmpty()) {
            out().println("stored policy: none (the daemon discovers one at the next lookup of " + domain + ")");
            out().println("last error: " + error.map(CacheListCommand::describe).orElse("none"));
            if (override.isPresent()) {
                printReplies(config, domain, stored, now);
            } else {
                out().println("postfix reply: " + PostfixReply.NOT_FOUND + "(unless discovery finds a policy)");
            }
            return NOT_STORED;
        }
        CachedPolicy policy = stored.get();
        out().println("policy id: " + policy.txtId());
        out().println("fetched: " + policy.fetchedAt());
        out().println("expires: " + policy.expiresAt() + (policy.usableAt(now) ? "" : " (expired: no longer applied)"));
        out().println("last checked: " + policy.lastCheckedAt());
        out().println("last error: " + error.map(CacheListCommand::describe).orElse("none"));
        out().println("policy:");
        policy.policy().lines().forEach(line -> out().println("  " + LogSafe.escape(line)));
        printReplies(config, domain, stored, now);
        return OK;
    }

    private void printReplies(DaemonConfig config, String domain, Optional<CachedPolicy> stored, Instant now) {
        Optional<PolicyOverride> override = config.overrides().find(domain);
        String note = override.map(o -> " (from the override for " + o.pattern() + "; the stored policy is not used)")
                .orElse("");
        for (Map.Entry<String, ZoneConfig> zone : zones(config).entrySet()) {
            out().println("postfix reply (" + zone.getKey() + "): "
                    + reply(config, domain, stored, zone.getValue(), now) + note);
        }
    }

    /** The default zone first, then the named ones, as the socketmap name selects them. */
    static Map<String, ZoneConfig> zones(DaemonConfig config) {
        Map<String, ZoneConfig> zones = new LinkedHashMap<>();
        zones.put("default zone", config.defaultZone());
        config.zones().forEach((name, zone) -> zones.put("zone " + name, zone));
        return zones;
    }

    /**
     * What the daemon answers for {@code domain} in {@code zone} at {@code now}: an override's answer first (the
     * daemon applies overrides before its cache), else the stored policy while it is usable, else nothing.
     */
    static String reply(DaemonConfig config, String domain, Optional<CachedPolicy> stored, ZoneConfig zone,
                        Instant now) {
        Optional<PolicyOverride> override = config.overrides().find(domain);
        if (override.isPresent()) {
            return PostfixReply.forOverride(override.get(), zone.requireSni());
        }
        if (stored.isEmpty() || !stored.get().usableAt(now)) {
            return PostfixReply.NOT_FOUND;
        }
        return PostfixReply.forPolicy(domain, stored.get().policy(),
                new PostfixReply.ReplyOptions(zone.strictTesting(), zone.requireSni(), zone.tlsrpt()));
    }
}
