package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStoreException;
import io.github.mtasts.resolver.store.PolicyStores;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code mtasts cache} subcommand does first: load the configuration and open its policy store, each
 * failure with its own exit code and a message naming what to fix. Subclasses get the open store.
 */
abstract class CacheSubcommand implements Callable<Integer> {

    static final int OK = 0;
    static final int NOT_STORED = 1;
    static final int USAGE_ERROR = 2;
    static final int DISCOVERY_FAILED = 3;
    static final int STORE_UNAVAILABLE = 4;
    static final int DAEMON_REFUSED = 5;

    /** The exit codes as picocli's help lists them; each subcommand names the ones it uses. */
    static final String EXIT_OK = "0:done";
    static final String EXIT_USAGE = "2:usage or configuration error (also: cache type internal, which only the"
            + " daemon's memory holds)";
    static final String EXIT_STORE = "4:the policy store cannot be opened or read (file missing, server unreachable)";
    static final String EXIT_REFUSED = "5:the store was changed, but the running daemon refused or failed to re-read"
            + " it (wrong credentials, store error on its side): it serves its memory copy until restarted";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption configOption = new ConfigOption();

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.WARN);

    final CacheContext context;

    CacheSubcommand(CacheContext context) {
        this.context = context;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Whether a missing SQLite file is created (as the daemon would) rather than reported. */
    boolean createsStore() {
        return false;
    }

    /** Runs with the configured store open; returns the exit code. */
    abstract int run(DaemonConfig config, PolicyStore store) throws Exception;

    /** The way to tell a running daemon, with the listener's credentials; set once the configuration is read. */
    private DaemonAdmin daemonAdmin;

    DaemonAdmin daemonAdmin() {
        return daemonAdmin;
    }

    @Override
    public final Integer call() throws Exception {
        logging.apply();
        DaemonConfig config;
        try {
            Configuration configuration = ConfigFiles.load(configOption.resolve(context.defaultConfigs()));
            config = configuration.daemon();
            daemonAdmin = new DaemonAdmin(config);
        } catch (ConfigException e) {
            return fail(e.getMessage(), USAGE_ERROR);
        }
        if (config.cache() instanceof CacheConfig.Internal) {
            return fail("cache type internal keeps policies in the daemon's memory only: there is no store to"
                    + " inspect or change; restarting the daemon empties it", USAGE_ERROR);
        }
        PolicyStore store;
        try {
            store = open(config.cache(), createsStore());
        } catch (RuntimeException e) {
            return fail("cannot open the " + config.cache().type() + " policy store: " + e.getMessage(),
                    STORE_UNAVAILABLE);
        }
        try (store) {
            return run(config, store);
        } catch (PolicyStoreException e) {
            return fail("the " + config.cache().type() + " policy store failed: " + e.getMessage(), STORE_UNAVAILABLE);
        } finally {
            out().flush();
            err().flush();
        }
    }

    /**
     * The store without the daemon's fallback to memory: a command reading an empty memory store would report
     * nothing cached, which is false. A missing SQLite file is created only by a command that stores a policy: for
     * the others it means a wrong path or no daemon yet.
     */
    private static PolicyStore open(CacheConfig cache, boolean create) {
        if (cache instanceof CacheConfig.Sqlite sqlite) {
            Path file = sqlite.filename();
            if (!create && !Files.isRegularFile(file)) {
                throw new IllegalStateException(file + " does not exist (cache.options.filename; the daemon creates"
                        + " it when it starts)");
            }
            return SqlitePolicyStore.open(file);
        }
        return PolicyStores.openShared(cache);
    }

    /** The normalised policy domain of {@code key}, or empty after printing why it cannot have a policy. */
    Optional<String> policyDomain(String key) {
        try {
            return Optional.of(DomainKey.parse(key).domain());
        } catch (InvalidDomainKeyException e) {
            err().println(spec.qualifiedName() + ": " + key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    int fail(String message, int code) {
        err().println(spec.qualifiedName() + ": " + message);
        err().flush();
        return code;
    }
}
