package io.github.mtasts.resolver.socketmap;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Optional;

/**
 * The user and group a UNIX socket the daemon binds is given, looked up once at start-up so that a name missing
 * on this machine stops the daemon before it listens, with the key named, rather than leaving Postfix a socket it
 * may not connect to. Changing the user needs root (CAP_CHOWN); changing the group only needs the daemon's user to
 * be a member of it ({@code SupplementaryGroups=postfix} in the unit).
 */
public record UnixSocketOwnership(Optional<UserPrincipal> user, Optional<GroupPrincipal> group) {

    public static final UnixSocketOwnership UNCHANGED = new UnixSocketOwnership(Optional.empty(), Optional.empty());

    /** @throws IOException "owner: no user "x" on this system" or the same for {@code group} */
    public static UnixSocketOwnership lookUp(Optional<String> user, Optional<String> group) throws IOException {
        UserPrincipalLookupService names = FileSystems.getDefault().getUserPrincipalLookupService();
        Optional<UserPrincipal> u = Optional.empty();
        Optional<GroupPrincipal> g = Optional.empty();
        if (user.isPresent()) {
            try {
                u = Optional.of(names.lookupPrincipalByName(user.get()));
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException("owner: no user \"" + user.get() + "\" on this system (the UNIX socket's owner)");
            }
        }
        if (group.isPresent()) {
            try {
                g = Optional.of(names.lookupPrincipalByGroupName(group.get()));
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException("group: no group \"" + group.get() + "\" on this system (the UNIX socket's"
                        + " group)");
            }
        }
        return new UnixSocketOwnership(u, g);
    }

    /** Gives {@code socket} this user and group; the message names the file, the principal and the remedy. */
    public void applyTo(Path socket) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(socket, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (user.isPresent()) {
            try {
                view.setOwner(user.get());
            } catch (IOException e) {
                throw new IOException("owner: cannot give " + socket + " to user " + user.get().getName() + ": "
                        + e.getMessage() + " (only root may; use group and mode instead)", e);
            }
        }
        if (group.isPresent()) {
            try {
                view.setGroup(group.get());
            } catch (IOException e) {
                throw new IOException("group: cannot give " + socket + " to group " + group.get().getName() + ": "
                        + e.getMessage() + " (the daemon's user must be a member of it)", e);
            }
        }
    }
}
