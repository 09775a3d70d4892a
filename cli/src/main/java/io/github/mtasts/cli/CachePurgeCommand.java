package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mtasts cache purge DOMAIN|--all}: removes stored policies and makes a running daemon drop its memory copy,
 * so that the next lookup discovers afresh. Until then the domain has no policy: RFC 8461 §10.2's downgrade window
 * is opened on purpose, for a policy the administrator knows to be wrong.
 */
@Command(name = "purge", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Remove the stored policy of DOMAIN (or of every domain) and make a running daemon drop its"
                + " memory copy, so that the next lookup discovers the policy again. Until then the domain is"
                + " delivered to as if it had no policy.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:removed, and a running daemon re-read the store (or none runs)",
            "1:the store held no policy for DOMAIN (a running daemon is still told to drop its copy)",
            CacheSubcommand.EXIT_USAGE, CacheSubcommand.EXIT_STORE, CacheSubcommand.EXIT_REFUSED})
final class CachePurgeCommand extends CacheSubcommand {

    static final class Target {
        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The policy domain to purge.")
        String domain;

        @Option(names = "--all", required = true, description = "Purge every stored policy.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    CachePurgeCommand(CacheContext context) {
        super(context);
    }

    @Override
    int run(DaemonConfig config, PolicyStore store) {
        DaemonAdmin daemon = daemonAdmin();
        if (target.all) {
            List<CachedPolicy> all = store.loadAll();
            all.forEach(policy -> store.remove(policy.domain()));
            out().println("removed " + all.size() + (all.size() == 1 ? " policy" : " policies") + " from the "
                    + config.cache().type() + " store");
            return DaemonAdmin.report(daemon.reloadAll(), "Every policy was removed from the store", out(), err(),
                    OK);
        }
        Optional<String> parsed = policyDomain(target.domain);
        if (parsed.isEmpty()) {
            return NOT_STORED;
        }
        String domain = parsed.get();
        Optional<CachedPolicy> stored = store.load(domain);
        if (stored.isPresent()) {
            store.remove(domain);
            CachedPolicy policy = stored.get();
            out().println("removed the policy of " + domain + " (id " + policy.txtId() + ", mode "
                    + policy.policy().mode().wireName() + ", mx " + CacheListCommand.mx(policy) + ", expiring "
                    + policy.expiresAt() + ") from the " + config.cache().type() + " store");
        } else {
            out().println("the " + config.cache().type() + " store holds no policy for " + domain);
        }
        int code = DaemonAdmin.report(daemon.reload(domain), "The policy of " + domain + " was removed from the store",
                out(), err(), OK);
        return code == OK && stored.isEmpty() ? NOT_STORED : code;
    }
}
