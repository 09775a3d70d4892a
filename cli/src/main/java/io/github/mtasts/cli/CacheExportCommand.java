package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.socketmap.PostfixReply;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mtasts cache export}: the daemon's current answers as a Postfix lookup table, for a static fallback after
 * the socketmap ({@code smtp_tls_policy_maps = socketmap:..., texthash:/etc/postfix/mtasts-fallback}). It answers
 * where the daemon says NOTFOUND (a discovery past the zone timeout); an unreachable daemon is a lookup error, which
 * stops Postfix's search whatever follows. Only the
 * domains the daemon answers with a policy in its default zone are written: an expired policy, or one the zone does
 * not enforce ({@code none}, {@code testing} without {@code strict_testing}), has no line, as it has no answer.
 */
@Command(name = "export", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Write the stored, unexpired policies as a Postfix lookup table: one line per domain the daemon"
                + " answers with a policy in its default zone, 'DOMAIN secure match=... servername=hostname'."
                + " Regenerate it regularly: each line is valid only until the expiry written above it.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {CacheSubcommand.EXIT_OK, CacheSubcommand.EXIT_USAGE, CacheSubcommand.EXIT_STORE})
final class CacheExportCommand extends CacheSubcommand {

    enum Format {
        texthash, postmap
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "texthash",
            description = "texthash (read as is: texthash:FILE) or postmap (the source of 'postmap hash:FILE', lmdb:"
                    + " or cdb:); the lines are the same, the header says how to use them (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write FILE (replaced atomically) instead of standard output.")
    Path output;

    CacheExportCommand(CacheContext context) {
        super(context);
    }

    @Override
    int run(DaemonConfig config, PolicyStore store) throws IOException {
        Instant now = context.clock().instant();
        List<CachedPolicy> policies = new ArrayList<>(store.loadAll());
        policies.sort(Comparator.comparing(CachedPolicy::domain));
        StringBuilder table = new StringBuilder();
        table.append("# MTA-STS policies exported by mtasts at ").append(now).append(" from the ")
                .append(config.cache().type()).append(" store, as the daemon answers in its default zone.\n");
        table.append(format == Format.texthash
                ? "# Use after the daemon: smtp_tls_policy_maps = socketmap:..., texthash:THIS_FILE\n"
                : "# Compile with 'postmap hash:THIS_FILE' (or lmdb:, cdb:), then list hash:THIS_FILE after the"
                        + " socketmap in smtp_tls_policy_maps\n");
        table.append("# A line is valid until the expiry above it: regenerate this file regularly. An override of the\n"
                + "# configuration replaces the policy of a stored domain, as in the daemon; other overrides are not here.\n");
        int written = 0;
        for (CachedPolicy policy : policies) {
            String reply = CacheShowCommand.reply(config, policy.domain(), Optional.of(policy), config.defaultZone(),
                    now);
            if (reply.equals(PostfixReply.NOT_FOUND)) {
                continue;
            }
            // the socketmap reply is "OK <value>"; a table holds the value alone
            table.append("# id ").append(policy.txtId()).append(", expires ").append(policy.expiresAt()).append('\n');
            table.append(policy.domain()).append(' ').append(reply.substring("OK ".length())).append('\n');
            written++;
        }
        if (output == null) {
            out().print(table);
        } else {
            Path absolute = output.toAbsolutePath();
            Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
            try {
                Files.writeString(temporary, table, StandardCharsets.UTF_8);
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
            out().println("wrote " + written + (written == 1 ? " policy" : " policies") + " to " + output);
        }
        return OK;
    }
}
