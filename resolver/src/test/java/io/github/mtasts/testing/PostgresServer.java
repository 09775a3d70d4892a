package io.github.mtasts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of its own for tests: Debian's {@code postgresql} package (the binaries of
 * {@code /usr/lib/postgresql/<major>/bin}), a fresh cluster made by {@code initdb} in a temporary directory, listening
 * on 127.0.0.1 and a free port, with trust authentication and one database. It never touches the system's own
 * cluster. The server refuses to run as root, so when the tests run as root the cluster belongs to the
 * {@code postgres} user and every command runs through {@code runuser}.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.start("mtasts")) { ... pg.jdbcUrl() ... pg.stop(); pg.restart(); }
 * }</pre>
 */
public final class PostgresServer implements AutoCloseable {

    private static final String SERVER_USER = "postgres";

    private final Path directory;
    private final Path binaries;
    private final int port;
    private final String database;
    private final boolean asRoot;
    private boolean running;

    private PostgresServer(Path directory, Path binaries, int port, String database, boolean asRoot) {
        this.directory = directory;
        this.binaries = binaries;
        this.port = port;
        this.database = database;
        this.asRoot = asRoot;
    }

    /** Creates a cluster, starts it and creates {@code database} in it. */
    public static PostgresServer start(String database) {
        Path binaries = findBinaries();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        Path directory;
        try {
            directory = Files.createTempDirectory("mtasts-pg");
            Files.createDirectories(directory.resolve("socket"));
            if (asRoot) {
                giveToServerUser(directory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PostgresServer server = new PostgresServer(directory, binaries, freePort(), database, asRoot);
        try {
            server.run(List.of(binaries.resolve("initdb").toString(), "-D", server.dataDir().toString(),
                    "-U", SERVER_USER, "--auth=trust", "--encoding=UTF8", "--no-sync", "--no-instructions"));
            server.restart();
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), SERVER_USER, "");
                 Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + database);
            }
            return server;
        } catch (SQLException | RuntimeException e) {
            server.close();
            throw new IllegalStateException("cannot start a PostgreSQL server: " + e.getMessage(), e);
        }
    }

    /** The newest installed major version: {@code /usr/lib/postgresql/15/bin} on Debian 12. */
    private static Path findBinaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(bin -> Integer.parseInt(bin.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + root
                            + "; install Debian's postgresql package"));
        } catch (IOException e) {
            throw new IllegalStateException("no PostgreSQL under " + root + "; install Debian's postgresql package", e);
        }
    }

    private static void giveToServerUser(Path directory) throws IOException {
        UserPrincipalLookupService users = directory.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = users.lookupPrincipalByName(SERVER_USER);
        GroupPrincipal group = users.lookupPrincipalByGroupName(SERVER_USER);
        for (Path p : List.of(directory, directory.resolve("socket"))) {
            PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
            view.setOwner(user);
            view.setGroup(group);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path dataDir() {
        return directory.resolve("data");
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    /** The superuser to connect as (no password: trust authentication). */
    public String user() {
        return SERVER_USER;
    }

    /** JDBC URL of the test database. */
    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    private String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    /** A libpq URI of the test database, the form of the configuration's {@code dsn}. */
    public String dsn() {
        return "postgresql://" + SERVER_USER + "@127.0.0.1:" + port + "/" + database;
    }

    /** Starts the server (again) on the same port and data; returns once it accepts connections. */
    public synchronized void restart() {
        if (!running) {
            run(List.of(binaries.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-l",
                    directory.resolve("server.log").toString(), "-w", "-t", "30", "start", "-o",
                    "-p " + port + " -k " + directory.resolve("socket") + " -c listen_addresses=127.0.0.1"
                            + " -c fsync=off -c full_page_writes=off"));
            running = true;
        }
    }

    /** Stops the server at once, cutting open connections (an outage); the data stays for {@link #restart()}. */
    public synchronized void stop() {
        if (running) {
            run(List.of(binaries.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-w", "-t", "30",
                    "-m", "immediate", "stop"));
            running = false;
        }
    }

    /** The server's log, for failure messages. */
    public String log() {
        try {
            return Files.readString(directory.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asRoot) {
            full.addAll(List.of("runuser", "-u", SERVER_USER, "--"));
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output;
            try (var in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("hung: " + String.join(" ", full));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " exited with " + process.exitValue()
                        + ": " + output + "\n" + log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", full), e);
        }
    }

    /** Stops the server and deletes its cluster. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
