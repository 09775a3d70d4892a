package io.github.mtasts.resolver.config;

import java.util.List;
import java.util.Optional;

/** The top-level {@code owner} and {@code group} keys: who owns the UNIX socket the daemon binds. */
final class SocketOwnerConfig {

    private SocketOwnerConfig() {
    }

    /** Meaningless, so refused, without {@code path}: the TCP listener has no file to own. */
    static SocketOwner parse(ConfigSection root, boolean unixSocket) throws ConfigException {
        Optional<String> user = root.optionalString("owner");
        Optional<String> group = root.optionalString("group");
        for (String key : List.of("owner", "group")) {
            if (!unixSocket && root.value(key).isPresent()) {
                throw root.error(key, "only meaningful with path (a UNIX socket); the TCP listener has no owner");
            }
        }
        try {
            return new SocketOwner(user, group);
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().startsWith("owner") ? "owner" : "group";
            throw root.error(key, e.getMessage().substring(key.length() + 2));
        }
    }
}
