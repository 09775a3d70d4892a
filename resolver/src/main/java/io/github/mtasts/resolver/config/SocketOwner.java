package io.github.mtasts.resolver.config;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who owns the UNIX socket the daemon binds itself ({@code owner} and {@code group}, beside {@code path} and
 * {@code mode}). Postfix's smtp processes reach a socket in its {@code private/} directory as user and group
 * {@code postfix}, so there it is typically {@code group: postfix} with {@code mode: 0660}. Whether the names
 * exist is checked at start-up, on the machine that runs the daemon, not here.
 *
 * @param user  user name (or number) given the socket file; empty leaves the daemon's own
 * @param group group name (or number) given the socket file; empty leaves the daemon's primary group
 */
public record SocketOwner(Optional<String> user, Optional<String> group) {

    /** Neither key set: the socket belongs to whoever runs the daemon. */
    public static final SocketOwner UNCHANGED = new SocketOwner(Optional.empty(), Optional.empty());

    /** useradd's default NAME_REGEX, with numeric ids allowed too. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?");

    public SocketOwner {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
        user.filter(u -> !NAME.matcher(u).matches()).ifPresent(u -> {
            throw new IllegalArgumentException("owner: not a user name: \"" + u + "\"");
        });
        group.filter(g -> !NAME.matcher(g).matches()).ifPresent(g -> {
            throw new IllegalArgumentException("group: not a group name: \"" + g + "\"");
        });
    }

    public boolean changesAnything() {
        return user.isPresent() || group.isPresent();
    }
}
