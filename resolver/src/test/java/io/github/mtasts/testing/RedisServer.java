package io.github.mtasts.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis server of its own for tests: Debian's {@code redis-server} as a child process in the foreground on
 * 127.0.0.1 and a free port, without persistence, working in a temporary directory. It never touches the system's
 * own Redis service.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) { ... redis.url() ... redis.stop(); redis.restart(); }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final int port;
    /** Extra arguments: a Sentinel's configuration file and {@code --sentinel}. */
    private final List<String> mode;
    private Process process;

    private RedisServer(Path directory, int port, List<String> mode) {
        this.directory = directory;
        this.port = port;
        this.mode = mode;
    }

    public static RedisServer start() {
        try {
            RedisServer server = new RedisServer(Files.createTempDirectory("mtasts-redis"), freePort(), List.of());
            server.restart();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Redis Sentinel (the same {@code redis-server} binary in sentinel mode) watching {@code master} under
     * {@code masterName}, alone in its quorum.
     */
    public static RedisServer startSentinel(String masterName, RedisServer master) {
        try {
            Path directory = Files.createTempDirectory("mtasts-sentinel");
            // a Sentinel rewrites its configuration file, so it gets one of its own
            Path conf = Files.writeString(directory.resolve("sentinel.conf"),
                    "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1\n");
            RedisServer sentinel = new RedisServer(directory, freePort(), List.of(conf.toString(), "--sentinel"));
            sentinel.restart();
            return sentinel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port}, the form of the configuration's {@code url}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The server's Unix-domain socket (not for a Sentinel). */
    public Path socketPath() {
        return directory.resolve("redis.sock");
    }

    /** Starts the server (again, empty: it keeps nothing on disk) on the same port; returns once it answers PING. */
    public synchronized void restart() {
        if (process != null) {
            return;
        }
        try {
            List<String> command = new ArrayList<>(List.of("redis-server"));
            command.addAll(mode);
            command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--daemonize", "no",
                    "--dir", directory.toString(), "--logfile", directory.resolve("redis.log").toString()));
            if (mode.isEmpty()) {
                command.addAll(List.of("--save", "", "--appendonly", "no",
                        "--unixsocket", socketPath().toString(), "--unixsocketperm", "700"));
            }
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-server; install Debian's redis-server package", e);
        }
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!answersPing()) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                String log = log();
                stop();
                throw new IllegalStateException("redis-server did not start on port " + port + ": " + log);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis-server", e);
            }
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            return in.readNBytes(reply, 0, 7) == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the server (an outage); its data is gone, as after a crash of a Redis without persistence. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public String log() {
        try {
            return Files.readString(directory.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
