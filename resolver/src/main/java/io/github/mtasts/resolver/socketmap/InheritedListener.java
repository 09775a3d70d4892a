package io.github.mtasts.resolver.socketmap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A listening socket the daemon was started with instead of binding one: systemd socket activation
 * (sd_listen_fds(3)), where {@code LISTEN_PID} names this process and {@code LISTEN_FDS} counts the descriptors
 * passed from 3 on. systemd created and bound them ({@code mtasts-daemon.socket}), with the owner and mode its unit
 * gives, so the daemon neither binds, chmods nor deletes anything for them.
 *
 * @param fd   the descriptor number (3, 4, ...)
 * @param kind TCP or UNIX stream socket
 * @param path the UNIX socket's path, as the kernel reports it; empty for TCP and unnamed sockets
 */
public record InheritedListener(int fd, Kind kind, Optional<Path> path) {

    /** sd_listen_fds(3): the first passed descriptor; 0-2 stay stdin, stdout and stderr. */
    public static final int SD_LISTEN_FDS_START = 3;

    private static final Pattern SOCKET_LINK = Pattern.compile("socket:\\[(\\d+)]");

    /** The two stream socket families the socketmap server serves. */
    public enum Kind { TCP, UNIX }

    public InheritedListener {
        if (fd < SD_LISTEN_FDS_START) {
            throw new IllegalArgumentException("inherited socket: descriptor " + fd + " is below 3");
        }
        if (kind == null || path == null) {
            throw new NullPointerException("kind and path");
        }
    }

    /** What this process inherited from systemd, from its environment and {@code /proc}. */
    public static List<InheritedListener> fromSystemd() throws IOException {
        return fromSystemd(System.getenv(), ProcessHandle.current().pid(), Path.of("/proc"));
    }

    /**
     * The descriptors {@code env} announces for process {@code pid}, classified through {@code proc}.
     * No {@code LISTEN_FDS}, or a {@code LISTEN_PID} of another process (the variables leaked from a parent that
     * was activated), means none: the daemon binds as configured.
     *
     * @throws IOException naming the variable or descriptor when the announcement is malformed or a descriptor
     *                     is not a stream socket the daemon can serve: serving nothing would defer all mail
     */
    static List<InheritedListener> fromSystemd(Map<String, String> env, long pid, Path proc) throws IOException {
        String listenPid = env.get("LISTEN_PID");
        String listenFds = env.get("LISTEN_FDS");
        if (listenPid == null || listenFds == null || !listenPid.strip().equals(Long.toString(pid))) {
            return List.of();
        }
        int count;
        try {
            count = Integer.parseInt(listenFds.strip());
        } catch (NumberFormatException e) {
            throw new IOException("LISTEN_FDS: expected a number of descriptors, got \"" + listenFds + "\"");
        }
        if (count < 0 || count > 64) {
            throw new IOException("LISTEN_FDS: expected 0 to 64 descriptors, got " + count);
        }
        List<InheritedListener> listeners = new ArrayList<>(count);
        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + count; fd++) {
            listeners.add(classify(fd, proc));
        }
        return List.copyOf(listeners);
    }

    /**
     * The kernel names the socket's inode in the descriptor's link; /proc/self/net lists each family's sockets
     * (self/net, not /proc/net: the unit's ProcSubset=pid leaves only the process directories).
     */
    private static InheritedListener classify(int fd, Path proc) throws IOException {
        String link;
        try {
            link = Files.readSymbolicLink(proc.resolve("self/fd/" + fd)).toString();
        } catch (NoSuchFileException e) {
            throw new IOException("LISTEN_FDS: descriptor " + fd + " is not open");
        }
        Matcher m = SOCKET_LINK.matcher(link);
        if (!m.matches()) {
            throw new IOException("LISTEN_FDS: descriptor " + fd + " is not a socket but " + link);
        }
        String inode = m.group(1);
        Optional<Optional<Path>> unix = unixSocket(proc.resolve("self/net/unix"), inode);
        if (unix.isPresent()) {
            return new InheritedListener(fd, Kind.UNIX, unix.get());
        }
        for (String table : List.of("self/net/tcp", "self/net/tcp6")) {
            if (listensInTcpTable(proc.resolve(table), inode)) {
                return new InheritedListener(fd, Kind.TCP, Optional.empty());
            }
        }
        throw new IOException("LISTEN_FDS: descriptor " + fd + " is neither a listening TCP socket nor a UNIX stream"
                + " socket (a ListenStream= socket with Accept=no is expected)");
    }

    /**
     * /proc/net/unix: {@code Num RefCount Protocol Flags Type St Inode Path}; type 0001 is SOCK_STREAM, flags
     * 00010000 is __SO_ACCEPTCON (listening). Present when the inode is a listening stream socket there.
     */
    private static Optional<Optional<Path>> unixSocket(Path table, String inode) throws IOException {
        if (!Files.isReadable(table)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 7 && f[6].equals(inode) && f[4].equals("0001") && f[3].equals("00010000")) {
                return Optional.of(f.length >= 8 && f[7].startsWith("/") ? Optional.of(Path.of(f[7]))
                        : Optional.empty());
            }
        }
        return Optional.empty();
    }

    /** /proc/net/tcp{,6}: state ({@code st}, 4th field) 0A is LISTEN; the inode is the 10th field. */
    private static boolean listensInTcpTable(Path table, String inode) throws IOException {
        if (!Files.isReadable(table)) {
            return false;
        }
        for (String line : Files.readAllLines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 10 && f[9].equals(inode) && f[3].equals("0A")) {
                return true;
            }
        }
        return false;
    }

    /** How the log and {@code localAddress} name it. */
    String describe() {
        return kind == Kind.TCP ? "inherited tcp socket (fd " + fd + ")"
                : "inherited unix socket " + path.map(Path::toString).orElse("(unnamed)") + " (fd " + fd + ")";
    }
}
