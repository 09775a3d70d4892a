package io.github.mtasts.tlsrpt.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code tlsrpt.socket} and its file settings: the unix datagram socket Postfix 3.10+ sends its TLSRPT datagrams
 * to ({@code smtp_tlsrpt_socket_name}). Postfix's smtp processes run as {@code postfix} and must be able to write
 * to it.
 *
 * @param path  the socket file, absolute
 * @param mode  {@code tlsrpt.socket_mode}; the process umask applies when absent
 * @param owner {@code tlsrpt.socket_owner} (needs root)
 * @param group {@code tlsrpt.socket_group} (the process's user must be a member)
 */
public record CollectorSocket(Path path, OptionalInt mode, Optional<String> owner, Optional<String> group) {
    public CollectorSocket {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(group, "group");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("socket path must be absolute: " + path);
        }
        if (mode.isPresent() && (mode.getAsInt() < 0 || mode.getAsInt() > 0777)) {
            throw new IllegalArgumentException("socket mode out of range: " + Integer.toOctalString(mode.getAsInt()));
        }
    }
}
