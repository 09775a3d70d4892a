package io.github.mtasts.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.text.LogSafe;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mtasts cache list}: every stored policy with its times and the last discovery error the store kept. */
@Command(name = "list", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "List every stored policy: domain, mode, mx patterns, TXT id, fetched / expires / last checked"
                + " times (UTC) and the last discovery error the store kept for the domain.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {CacheSubcommand.EXIT_OK, CacheSubcommand.EXIT_USAGE, CacheSubcommand.EXIT_STORE})
final class CacheListCommand extends CacheSubcommand {

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    CacheListCommand(CacheContext context) {
        super(context);
    }

    @Override
    int run(DaemonConfig config, PolicyStore store) throws Exception {
        List<CachedPolicy> policies = new ArrayList<>(store.loadAll());
        policies.sort(Comparator.comparing(CachedPolicy::domain));
        Instant now = context.clock().instant();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode array = mapper.createArrayNode();
            for (CachedPolicy policy : policies) {
                array.add(toJson(mapper, policy, lastError(store, policy.domain()), now));
            }
            out().println(mapper.writeValueAsString(array));
            return OK;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("DOMAIN", "MODE", "MX", "ID", "FETCHED", "EXPIRES", "CHECKED", "LAST ERROR"));
        for (CachedPolicy policy : policies) {
            rows.add(List.of(policy.domain(), policy.policy().mode().wireName(), mx(policy),
                    policy.txtId(), policy.fetchedAt().toString(),
                    policy.expiresAt() + (policy.usableAt(now) ? "" : " (expired)"),
                    policy.lastCheckedAt().toString(),
                    lastError(store, policy.domain()).map(CacheListCommand::describe).orElse("-")));
        }
        printTable(rows);
        out().println(policies.size() + (policies.size() == 1 ? " policy" : " policies") + " in the "
                + config.cache().type() + " store");
        return OK;
    }

    static String mx(CachedPolicy policy) {
        return policy.policy().mx().stream().map(MxPattern::pattern).collect(Collectors.joining(","));
    }

    /** The latest discovery failure the store keeps for {@code domain} (stores keep a few days of them). */
    static Optional<DiscoveryFailureCount> lastError(PolicyStore store, String domain) {
        return store.discoveryFailures(domain).stream().max(Comparator.comparing(DiscoveryFailureCount::lastFailed));
    }

    static String describe(DiscoveryFailureCount failure) {
        // the detail quotes what remote servers sent: escaped, like every untrusted text we print
        return failure.lastFailed() + " " + failure.type() + ": " + LogSafe.escape(failure.lastDetail());
    }

    private static ObjectNode toJson(ObjectMapper mapper, CachedPolicy policy, Optional<DiscoveryFailureCount> error,
                                     Instant now) {
        ObjectNode node = mapper.createObjectNode();
        node.put("domain", policy.domain());
        node.put("mode", policy.policy().mode().wireName());
        ArrayNode mx = node.putArray("mx");
        policy.policy().mx().forEach(pattern -> mx.add(pattern.pattern()));
        node.put("max_age", policy.policy().maxAge());
        node.put("txt_id", policy.txtId());
        node.put("fetched_at", policy.fetchedAt().toString());
        node.put("expires_at", policy.expiresAt().toString());
        node.put("last_checked_at", policy.lastCheckedAt().toString());
        node.put("usable", policy.usableAt(now));
        if (error.isPresent()) {
            ObjectNode failure = node.putObject("last_error");
            failure.put("at", error.get().lastFailed().toString());
            failure.put("type", error.get().type().toString());
            failure.put("detail", error.get().lastDetail());
        } else {
            node.putNull("last_error");
        }
        return node;
    }

    private void printTable(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            out().println(line.toString().stripTrailing());
        }
    }
}
