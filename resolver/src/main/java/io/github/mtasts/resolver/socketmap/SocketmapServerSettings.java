package io.github.mtasts.resolver.socketmap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where and how the socketmap server listens. As in the Python daemon, a UNIX socket {@code path} replaces
 * the TCP listener ({@code host} and {@code port} are then ignored).
 *
 * @param host             TCP bind address ({@code host}, default 127.0.0.1)
 * @param port             TCP port ({@code port}, default 8461; 0 picks a free port)
 * @param path             UNIX socket path ({@code path}); when present no TCP listener is opened
 * @param mode             permission bits for the UNIX socket file ({@code mode}, e.g. 0666); absent keeps
 *                         what the process umask gives
 * @param reusePort        {@code reuse_port}: SO_REUSEPORT on the TCP listener, so several daemons can share
 *                         the port
 * @param maxRequestLength longest request payload accepted; longer ones close the connection
 * @param maxConnections   open connections allowed at once; at the limit a new connection closes the
 *                         longest-idle one, or is closed itself when every connection awaits an answer
 * @param idleTimeout      a connection without traffic for this long is closed
 * @param answerDeadline   safety deadline for one answer, after which {@code NOTFOUND } is sent
 * @param requestTimeout   a request begun and not finished for this long closes the connection
 */
public record SocketmapServerSettings(
        String host,
        int port,
        Optional<Path> path,
        OptionalInt mode,
        boolean reusePort,
        int maxRequestLength,
        int maxConnections,
        Duration idleTimeout,
        Duration answerDeadline,
        Duration requestTimeout) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8461;
    /** Python daemon default. */
    public static final boolean DEFAULT_REUSE_PORT = true;
    /**
     * A request is {@code <map name> <domain>}; a domain is at most 253 octets as A-labels, and Postfix may
     * send it as UTF-8 (SMTPUTF8), up to 4 bytes a character. 4 KiB leaves room for all of that.
     */
    public static final int DEFAULT_MAX_REQUEST_LENGTH = 4096;
    /** Each Postfix smtp process holds one connection; default_process_limit is 100 per service. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** Postfix closes idle socketmap connections itself after about 10 s; ours is only a safety net. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);
    /** The Python daemon's default zone timeout (4 s) plus a margin. */
    public static final Duration DEFAULT_ANSWER_DEADLINE = Duration.ofSeconds(5);
    /**
     * Postfix writes a request in one write, so a half netstring that stays half is a stuck or hostile client,
     * holding a connection slot; 10 s is generous for a request a few hundred bytes long.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public SocketmapServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(answerDeadline, "answerDeadline");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be 0-65535, got " + port);
        }
        if (mode.isPresent() && (mode.getAsInt() & ~0777) != 0) {
            throw new IllegalArgumentException("mode: must be permission bits up to 0777, got 0"
                    + Integer.toOctalString(mode.getAsInt()));
        }
        if (maxRequestLength < 1) {
            throw new IllegalArgumentException("max request length: must be positive, got " + maxRequestLength);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections: must be positive, got " + maxConnections);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout: must be positive, got " + idleTimeout);
        }
        if (answerDeadline.isNegative() || answerDeadline.isZero()) {
            throw new IllegalArgumentException("answer deadline: must be positive, got " + answerDeadline);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout: must be positive, got " + requestTimeout);
        }
    }

    /** TCP on 127.0.0.1:8461 with every default. */
    public static SocketmapServerSettings defaults() {
        return tcp(DEFAULT_HOST, DEFAULT_PORT);
    }

    public static SocketmapServerSettings tcp(String host, int port) {
        return new SocketmapServerSettings(host, port, Optional.empty(), OptionalInt.empty(), DEFAULT_REUSE_PORT,
                DEFAULT_MAX_REQUEST_LENGTH, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, DEFAULT_ANSWER_DEADLINE,
                DEFAULT_REQUEST_TIMEOUT);
    }

    public static SocketmapServerSettings unix(Path path, OptionalInt mode) {
        return new SocketmapServerSettings(DEFAULT_HOST, DEFAULT_PORT, Optional.of(path), mode, DEFAULT_REUSE_PORT,
                DEFAULT_MAX_REQUEST_LENGTH, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, DEFAULT_ANSWER_DEADLINE,
                DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * Parses a {@code mode} written as octal digits, with or without the leading zero the Python daemon's
     * documentation asks for ({@code "0666"}, {@code "666"}, {@code "0o666"}).
     */
    public static int parseMode(String octal) {
        String digits = octal.strip();
        if (digits.startsWith("0o") || digits.startsWith("0O")) {
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw new IllegalArgumentException("mode: expected octal digits such as 0666, got \"" + octal + "\"");
        }
        int mode = Integer.parseInt(digits, 8);
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode: must be permission bits up to 0777, got \"" + octal + "\"");
        }
        return mode;
    }

    public SocketmapServerSettings withMaxRequestLength(int value) {
        return new SocketmapServerSettings(host, port, path, mode, reusePort, value, maxConnections, idleTimeout,
                answerDeadline, requestTimeout);
    }

    public SocketmapServerSettings withMaxConnections(int value) {
        return new SocketmapServerSettings(host, port, path, mode, reusePort, maxRequestLength, value, idleTimeout,
                answerDeadline, requestTimeout);
    }

    public SocketmapServerSettings withIdleTimeout(Duration value) {
        return new SocketmapServerSettings(host, port, path, mode, reusePort, maxRequestLength, maxConnections,
                value, answerDeadline, requestTimeout);
    }

    public SocketmapServerSettings withAnswerDeadline(Duration value) {
        return new SocketmapServerSettings(host, port, path, mode, reusePort, maxRequestLength, maxConnections,
                idleTimeout, value, requestTimeout);
    }

    public SocketmapServerSettings withRequestTimeout(Duration value) {
        return new SocketmapServerSettings(host, port, path, mode, reusePort, maxRequestLength, maxConnections,
                idleTimeout, answerDeadline, value);
    }
}
