package io.github.mtasts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real DNS server for tests: Debian's {@code dnsmasq} (package {@code dnsmasq-base}) in the foreground on
 * 127.0.0.1 and a free port, authoritative for the configured local domains (unknown names there answer
 * NXDOMAIN, known names without the asked type answer NODATA) and asking nobody upstream.
 *
 * <pre>{@code
 * try (DnsmasqServer dns = DnsmasqServer.builder()
 *         .txt("_mta-sts.good.test", "v=STSv1; id=1")
 *         .start()) { ... dns.address() ... }
 * }</pre>
 */
public final class DnsmasqServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final int port;
    private Process process;

    private DnsmasqServer(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where to send queries. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** {@code 127.0.0.1:port}, the form a configuration file takes. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** Replaces every record with those of {@code records}, on the same port (dnsmasq restarted). */
    public void reconfigure(Builder records) {
        stopProcess();
        for (int attempt = 1; ; attempt++) {
            try {
                startProcess(records);
                return;
            } catch (PortInUseException e) {
                // the old process's sockets may linger an instant; the port must stay the same for the clients
                if (attempt == 5) {
                    throw new UncheckedIOException("cannot restart dnsmasq on port " + port + ": " + e.getMessage(), e);
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The dnsmasq log (queries and answers), for failure messages. */
    public String log() {
        try {
            return Files.readString(directory.resolve("dnsmasq.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stopProcess();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startProcess(Builder records) throws PortInUseException {
        try {
            Path config = directory.resolve("dnsmasq.conf");
            Files.write(config, records.configLines(port, directory));
            process = new ProcessBuilder("dnsmasq", "--keep-in-foreground", "--conf-file=" + config)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("dnsmasq.log").toFile())
                    .start();
            awaitAnswers();
        } catch (PortInUseException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopProcess();
            throw new IllegalStateException("interrupted while starting dnsmasq", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dnsmasq (apt-get install dnsmasq-base): " + e.getMessage(), e);
        }
    }

    private void awaitAnswers() throws IOException, InterruptedException {
        SimpleResolver probe = new SimpleResolver(address());
        probe.setTimeout(Duration.ofMillis(200));
        Message query = Message.newQuery(Record.newRecord(Name.fromConstantString("probe.invalid."), Type.A, 1));
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                String message = "dnsmasq exited with " + process.exitValue() + ": " + log();
                throw process.exitValue() == 2 ? new PortInUseException(message) : new IOException(message);
            }
            try {
                probe.send(query);
                return;
            } catch (IOException notYet) {
                // not listening yet (port unreachable fails at once, so pause before asking again)
                Thread.sleep(20);
            }
        }
        stopProcess();
        throw new IOException("dnsmasq did not answer within " + START_TIMEOUT + ": " + log());
    }

    private void stopProcess() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Records to serve; reusable with {@link #reconfigure(Builder)}. */
    public static final class Builder {
        private final List<String> lines = new ArrayList<>();
        private final List<String> localDomains = new ArrayList<>(List.of("test"));

        private Builder() {
        }

        /**
         * One TXT record at {@code name} made of {@code strings} (several character-strings in one record
         * when more than one is given). Strings must not contain {@code "} or {@code \}.
         */
        public Builder txt(String name, String... strings) {
            StringBuilder line = new StringBuilder("txt-record=").append(name);
            for (String s : strings) {
                if (s.indexOf('"') >= 0 || s.indexOf('\\') >= 0) {
                    throw new IllegalArgumentException("quote or backslash in TXT string: " + s);
                }
                line.append(",\"").append(s).append('"');
            }
            lines.add(line.toString());
            return this;
        }

        /** {@code alias} is a CNAME for {@code target} (which dnsmasq must know itself). */
        public Builder cname(String alias, String target) {
            lines.add("cname=" + alias + "," + target);
            return this;
        }

        /** A (or AAAA) record; the other address type answers NODATA like a real zone. */
        public Builder host(String name, String address) {
            lines.add("host-record=" + name + "," + address);
            return this;
        }

        public Builder mx(String domain, String exchange, int preference) {
            lines.add("mx-host=" + domain + "," + exchange + "," + preference);
            return this;
        }

        /** dnsmasq answers for names under {@code domain} itself (NXDOMAIN/NODATA), never upstream. Default: {@code test}. */
        public Builder localDomain(String domain) {
            localDomains.add(domain);
            return this;
        }

        public DnsmasqServer start() {
            Path directory;
            try {
                directory = Files.createTempDirectory("dnsmasq");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // the port is free for UDP when chosen, but the TCP side (or a racing process) may hold it: dnsmasq then
            // exits with status 2 ("network problem") and another port is tried
            for (int attempt = 1; ; attempt++) {
                DnsmasqServer server = new DnsmasqServer(directory, freeUdpPort());
                try {
                    server.startProcess(this);
                    return server;
                } catch (PortInUseException e) {
                    if (attempt == 5) {
                        throw new UncheckedIOException("cannot start dnsmasq: " + e.getMessage(), e);
                    }
                }
            }
        }

        private List<String> configLines(int port, Path directory) {
            List<String> config = new ArrayList<>(List.of(
                    "port=" + port,
                    "listen-address=127.0.0.1",
                    "bind-interfaces",
                    "no-resolv",
                    "no-hosts",
                    "no-poll",
                    "pid-file=" + directory.resolve("dnsmasq.pid"),
                    "log-queries",
                    "log-facility=-",
                    // root keeps ownership of the log and pid file; no user switch in a test
                    "user=root"));
            localDomains.forEach(d -> config.add("local=/" + d + "/"));
            config.addAll(lines);
            return config;
        }
    }

    /** dnsmasq's exit status 2: it could not bind its port. */
    private static final class PortInUseException extends IOException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String message) {
            super(message);
        }
    }

    private static int freeUdpPort() {
        // dnsmasq also listens on TCP; a port free for UDP on loopback is almost always free for TCP too.
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
