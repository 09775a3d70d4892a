package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.MtaStsDiscovery;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.text.LogSafe;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mtasts cache refresh DOMAIN}: discovers now, as {@code mtasts query} does, stores the outcome as the daemon
 * would (RFC 8461 §3.3, §5.1: a failed or absent discovery never replaces an unexpired stored policy), makes a
 * running daemon serve the stored policy at once, and prints what changed.
 */
@Command(name = "refresh", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Discover the policy of DOMAIN now (fetching it even when the TXT id is unchanged), store it as"
                + " the daemon would, make a running daemon serve it at once, and print what changed. A failed"
                + " discovery never replaces an unexpired stored policy.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:a policy was fetched and stored",
            "1:the domain publishes no policy (an unexpired stored one is kept), or cannot have one",
            CacheSubcommand.EXIT_USAGE,
            "3:discovery failed (cause on standard error); an unexpired stored policy is kept",
            CacheSubcommand.EXIT_STORE, CacheSubcommand.EXIT_REFUSED})
final class CacheRefreshCommand extends CacheSubcommand {

    /** As long as an administrator waits for mtasts query; both bounds, never the expected time. */
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    @Parameters(index = "0", paramLabel = "DOMAIN", description = "The policy domain to refresh.")
    String key;

    CacheRefreshCommand(CacheContext context) {
        super(context);
    }

    /** A policy refreshed before the daemon first ran is one the daemon will not have to discover. */
    @Override
    boolean createsStore() {
        return true;
    }

    @Override
    int run(DaemonConfig config, PolicyStore store) {
        Optional<String> parsed = policyDomain(key);
        if (parsed.isEmpty()) {
            return NOT_STORED;
        }
        String domain = parsed.get();
        Optional<CachedPolicy> old = store.load(domain);
        Duration dnsTimeout = config.dns().timeout().orElse(DNS_TIMEOUT);
        DnsTxtLookup dns = config.dns().nameservers().isEmpty() ? DnsTxtLookup.system(dnsTimeout)
                : DnsTxtLookup.using(config.dns().nameservers(), dnsTimeout);
        PolicyFetcher fetcher = PolicyFetcher.create(FETCH_TIMEOUT, config.caFile(), context.policyPort());
        // the discovery mtasts query and the daemon run; no known id: an administrator asking for a refresh wants
        // the policy file itself read again
        DiscoveryResult result = new MtaStsDiscovery(dns, fetcher).discover(domain, null).join();
        Instant now = Instant.ofEpochSecond(context.clock().instant().getEpochSecond());
        Optional<PolicyOverride> override = config.overrides().find(domain);
        int code = apply(store, domain, old, result, now, override.isEmpty());
        override.filter(o -> code == OK).ifPresent(o -> out().println("not recorded as served: the override for " + o.pattern() + " ("
                + o.describe() + ") answers for " + domain + "; the stored policy applies once it is removed"));
        String what = code == OK ? "The new policy of " + domain + " is in the store"
                : "The store was updated for " + domain;
        return DaemonAdmin.report(daemonAdmin().reload(domain), what, out(), err(), code);
    }

    /**
     * Stores {@code result} as the daemon's cache does, prints the change, and returns the exit code.
     *
     * @param served whether the daemon answers the domain's policy, so that the change is recorded as served for
     *               TLSRPT; not when an override answers for it
     */
    private int apply(PolicyStore store, String domain, Optional<CachedPolicy> old, DiscoveryResult result,
                      Instant now, boolean served) {
        if (result instanceof DiscoveryResult.Found found) {
            CachedPolicy next = CachedPolicy.fetched(domain, found.txtId(), found.policy(), now);
            if (served && old.isPresent() && !old.get().policy().equals(next.policy())) {
                // TLSRPT: the old policy was in force until now
                store.policyServed(domain, old.get().policy(), now, now);
            }
            store.save(next);
            if (served) {
                store.policyServed(domain, next.policy(), now, now);
            }
            out().println((old.isPresent() ? "refreshed " : "stored ") + domain + ":");
            printChange(old, next);
            return OK;
        }
        String reason;
        int code;
        if (result instanceof DiscoveryResult.Failed failed) {
            err().println("discovery failed (" + failed.type() + "): " + LogSafe.escape(failed.detail()));
            store.discoveryFailure(domain, now, failed.type(), failed.detail());
            reason = "discovery failed";
            code = DISCOVERY_FAILED;
        } else {
            reason = "no policy published: " + LogSafe.escape(((DiscoveryResult.NoPolicy) result).reason());
            code = NOT_STORED;
        }
        if (old.isPresent() && old.get().usableAt(now)) {
            // RFC 8461 §3.3, §5.1: a vanished record or failed fetch leaves an unexpired policy in force
            store.save(old.get().checked(now));
            out().println(reason + "; kept the stored policy of " + domain + " (id " + old.get().txtId()
                    + ") until it expires at " + old.get().expiresAt());
        } else {
            if (old.isPresent()) {
                store.remove(domain);
            }
            out().println(reason + "; " + domain + " has no policy" + (old.isPresent()
                    ? " (the expired stored one was removed)" : ""));
        }
        return code;
    }

    private void printChange(Optional<CachedPolicy> old, CachedPolicy next) {
        line("id", old.map(CachedPolicy::txtId), next.txtId());
        line("mode", old.map(p -> p.policy().mode().wireName()), next.policy().mode().wireName());
        line("mx", old.map(CacheListCommand::mx), CacheListCommand.mx(next));
        line("max_age", old.map(p -> Long.toString(p.policy().maxAge())), Long.toString(next.policy().maxAge()));
        out().println("  expires: " + next.expiresAt());
    }

    private void line(String field, Optional<String> before, String after) {
        String label = String.format("  %-8s ", field + ":");
        if (before.isPresent() && before.get().equals(after)) {
            out().println(label + after + " (unchanged)");
        } else {
            out().println(label + before.orElse("(none)") + " -> " + after);
        }
    }
}
