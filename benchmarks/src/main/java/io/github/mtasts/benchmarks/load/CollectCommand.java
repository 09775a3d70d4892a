package io.github.mtasts.benchmarks.load;

import io.github.mtasts.resolver.socketmap.UnixSocketOwnership;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.ingest.DatagramCollector;
import io.github.mtasts.tlsrpt.ingest.DatagramSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bench collect}: datagrams per second the TLSRPT collector sustains into SQLite over its real unix datagram
 * socket. A sender thread sends Postfix 3.11.6's captured datagram shapes (an sts success, a self-signed failure, a
 * no-policy-found success) with unique domains and receiving addresses, as fast as the socket takes them: when the
 * kernel queue is full ({@code EAGAIN}) it waits and sends again (Postfix would drop that datagram; the count of
 * such waits is reported). The clock stops when the last datagram is committed.
 */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Measure the TLSRPT datagram collector (datagrams/s over its unix socket into SQLite).")
final class CollectCommand implements Callable<Integer> {
    private static final String STS = "{\"dpv\": \"1\",\"d\": \"%1$s\",\"pr\": \"v=TLSRPTv1; rua=mailto:tlsrpt@%1$s\","
            + "\"policies\":[{\"policy-type\":2,\"policy-domain\": \"%1$s\",\"policy-string\":[\"version: STSv1\","
            + "\"mode: enforce\",\"mx: mx.%1$s\",\"max_age: 86400\"],\"mx-host\":[\"mx.%1$s\"],\"t\":0,\"f\":0}]}";
    private static final String SELF_SIGNED = "{\"dpv\": \"1\",\"d\": \"%1$s\",\"pr\": \"v=TLSRPTv1; "
            + "rua=mailto:tlsrpt@%1$s\",\"policies\":[{\"policy-type\":2,\"policy-domain\": \"%1$s\",\"policy-string\":"
            + "[\"version: STSv1\",\"mode: enforce\",\"mx: mx.%1$s\",\"max_age: 86400\"],\"mx-host\":[\"mx.%1$s\"],"
            + "\"failure-details\":[{\"c\":205,\"s\": \"192.0.2.1\",\"n\": \"mx.%1$s\",\"h\": \"250-mx.%1$s\\r\\n"
            + "250-PIPELINING\\r\\n250-SIZE 10240000\\r\\n250-STARTTLS\\r\\n250 CHUNKING\",\"r\": \"%2$s\",\"f\": "
            + "\"self-signed_certificate\"}],\"t\":1,\"f\":1}]}";
    private static final String NO_POLICY = "{\"dpv\": \"1\",\"d\": \"%1$s\",\"pr\": \"v=TLSRPTv1; "
            + "rua=mailto:tlsrpt@%1$s\",\"policies\":[{\"policy-type\":9,\"policy-domain\": \"%1$s\",\"t\":0,\"f\":0}]}";

    @Spec
    CommandSpec spec;

    @Option(names = "--datagrams", defaultValue = "200000", description = "datagrams to send (default ${DEFAULT-VALUE})")
    int datagrams;

    @Option(names = "--domains", defaultValue = "1000", description = "distinct policy domains (default ${DEFAULT-VALUE})")
    int domains;

    @Option(names = "--store", paramLabel = "sqlite:PATH", required = true, description = "a new SQLite database")
    String store;

    @Option(names = "--batch", defaultValue = "1000", description = "datagrams per commit (tlsrpt.batch_lines)")
    int batch;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!store.startsWith("sqlite:") || Files.exists(Path.of(store.substring("sqlite:".length())))) {
            err.println("bench collect: --store must be sqlite:PATH of a new database, got " + store);
            return BenchCommand.USAGE;
        }
        if (datagrams < 1 || domains < 1 || batch < 1) {
            err.println("bench collect: --datagrams, --domains and --batch must be positive");
            return BenchCommand.USAGE;
        }
        Path database = Path.of(store.substring("sqlite:".length()));
        Path socketDir = Files.createTempDirectory("mtasts-bench-collect");
        Path socketPath = socketDir.resolve("tlsrpt.sock");
        byte[][] payloads = payloads();
        long waits;
        long nanos;
        try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(database);
             SqlitePolicyStore policies = SqlitePolicyStore.open(database)) {
            DatagramCollector collector = new DatagramCollector(aggregates, policies, batch, Duration.ofSeconds(1),
                    Clock.systemUTC(), DatagramCollector.Events.NONE);
            DatagramSocket socket = DatagramSocket.bind(socketPath, OptionalInt.empty(), UnixSocketOwnership.UNCHANGED,
                    collector::accept);
            long start = System.nanoTime();
            try {
                waits = send(socketPath, payloads);
                while (collector.received() < datagrams) {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                }
            } finally {
                socket.close();
                collector.close();
            }
            nanos = System.nanoTime() - start;
            long sessions = 0;
            for (DomainDay day : aggregates.day(LocalDate.now(ZoneOffset.UTC))) {
                sessions += day.successes() + day.failures();
            }
            if (sessions != datagrams) {
                err.println("bench collect: " + sessions + " sessions stored for " + datagrams + " datagrams");
                return BenchCommand.ERRORS;
            }
        } finally {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(socketDir);
        }
        out.printf(Locale.ROOT, "datagrams        %d (%d domains, batch %d)%n", datagrams, domains, batch);
        out.printf(Locale.ROOT, "into sqlite      %.0f datagrams/s (%.2f s, last commit included)%n",
                datagrams / (nanos / 1e9), nanos / 1e9);
        out.printf(Locale.ROOT, "queue full       %d times the sender waited (EAGAIN): datagrams Postfix would have"
                + " dropped at this rate%n", waits);
        out.flush();
        return BenchCommand.CLEAN;
    }

    /** One in ten a failure with its own receiving address, one in ten no-policy-found, the rest sts successes. */
    private byte[][] payloads() {
        byte[][] payloads = new byte[datagrams][];
        for (int i = 0; i < datagrams; i++) {
            String domain = "d" + (i % domains) + ".example";
            String json = switch (i % 10) {
                case 3 -> String.format(Locale.ROOT, SELF_SIGNED, domain,
                        "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255));
                case 7 -> String.format(Locale.ROOT, NO_POLICY, domain);
                default -> String.format(Locale.ROOT, STS, domain);
            };
            payloads[i] = json.getBytes(StandardCharsets.UTF_8);
        }
        return payloads;
    }

    /** Sends every payload as libtlsrpt does (unbound socket, sendto the path); returns how often it had to wait. */
    private static long send(Path path, byte[][] payloads) throws IOException {
        Epoll.ensureAvailability();
        byte[] address = path.toString().getBytes(StandardCharsets.UTF_8);
        Socket socket = Socket.newSocketDomainDgram();
        ByteBuf buffer = Unpooled.directBuffer(64 * 1024);
        long waits = 0;
        try {
            for (byte[] payload : payloads) {
                ByteBuffer direct = buffer.nioBuffer(0, buffer.capacity());
                direct.put(payload).flip();
                while (socket.sendToDomainSocket(direct, 0, direct.limit(), address) == 0) {
                    waits++;
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                }
            }
        } finally {
            socket.close();
            buffer.release();
        }
        return waits;
    }
}
