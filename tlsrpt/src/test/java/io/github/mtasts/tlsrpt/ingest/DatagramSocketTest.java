package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.resolver.socketmap.UnixSocketOwnership;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The unix datagram socket itself: binding, the socket file's life, what a sender's bytes become. */
class DatagramSocketTest {
    @TempDir
    Path dir;
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    private DatagramSocket bind(Path path) throws IOException {
        return DatagramSocket.bind(path, OptionalInt.of(0660), UnixSocketOwnership.UNCHANGED, received::add);
    }

    private byte[] next() throws InterruptedException {
        byte[] payload = received.poll(30, TimeUnit.SECONDS);
        assertThat(payload).as("a datagram arrived").isNotNull();
        return payload;
    }

    @Test
    void eachDatagramArrivesWholeAndTheSocketFileHasItsModeAndGoesAtClose() throws Exception {
        Path path = dir.resolve("tlsrpt.sock");
        try (DatagramSocket socket = bind(path); DatagramSender sender = new DatagramSender(path)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
            sender.send("first".getBytes(StandardCharsets.UTF_8));
            byte[] big = new byte[200_000];
            big[199_999] = 'x';
            sender.send(big);

            assertThat(new String(next(), StandardCharsets.UTF_8)).isEqualTo("first");
            assertThat(next()).isEqualTo(big);
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void theSocketGetsTheLargerReceiveBufferTheKernelAllows() throws Exception {
        // readString stops after the first read on this proc file; a line reader does not
        long rmemMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).get(0).trim());
        try (DatagramSocket socket = bind(dir.resolve("tlsrpt.sock"))) {
            // Linux grants min(asked, rmem_max) and reports it doubled for its bookkeeping
            assertThat(socket.receiveBufferBytes()).isEqualTo((int) (2 * Math.min(4L * 1024 * 1024, rmemMax)));
        }
    }

    @Test
    void aSocketFileLeftByADeadProcessIsReplaced() throws Exception {
        Path path = dir.resolve("tlsrpt.sock");
        Socket dead = Socket.newSocketDomainDgram();
        dead.bind(new DomainSocketAddress(path.toString()));
        dead.close(); // as after kill -9: the file stays, nobody receives
        assertThat(path).exists();

        try (DatagramSocket socket = bind(path); DatagramSender sender = new DatagramSender(path)) {
            sender.send("after restart".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(next(), StandardCharsets.UTF_8)).isEqualTo("after restart");
        }
    }

    @Test
    void aSocketAnotherProcessReceivesOnIsNotTaken() throws Exception {
        Path path = dir.resolve("tlsrpt.sock");
        try (DatagramSocket first = bind(path)) {
            assertThatThrownBy(() -> bind(path)).isInstanceOf(IOException.class)
                    .hasMessage("cannot receive TLSRPT datagrams on " + path + ": another process receives on that"
                            + " socket (a running collector or tlsrpt-collectd); stop it or set another tlsrpt.socket");
            try (DatagramSender sender = new DatagramSender(path)) {
                sender.send("still first".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(new String(next(), StandardCharsets.UTF_8)).isEqualTo("still first");
        }
    }

    @Test
    void aFileThatIsNoSocketIsNeverDeleted() throws Exception {
        Path path = dir.resolve("tlsrpt.sock");
        Files.writeString(path, "mine");

        assertThatThrownBy(() -> bind(path)).isInstanceOf(IOException.class)
                .hasMessage("cannot receive TLSRPT datagrams on " + path + ": a file that is not a socket exists there");
        assertThat(Files.readString(path)).isEqualTo("mine");
    }

    @Test
    void aGroupThatCannotBeGivenStopsStartUpAndLeavesNoSocket() throws Exception {
        Path path = dir.resolve("tlsrpt.sock");
        UnixSocketOwnership nobody = UnixSocketOwnership.lookUp(java.util.Optional.empty(),
                java.util.Optional.of("nogroup"));
        if (ProcessHandle.current().info().user().orElse("").equals("root")) {
            // root may give any group: the socket gets it
            try (DatagramSocket socket = DatagramSocket.bind(path, OptionalInt.empty(), nobody, received::add)) {
                assertThat(Files.getAttribute(path, "posix:group").toString()).isEqualTo("nogroup");
            }
        } else {
            assertThatThrownBy(() -> DatagramSocket.bind(path, OptionalInt.empty(), nobody, received::add))
                    .isInstanceOf(IOException.class).hasMessageContaining("group: cannot give");
            assertThat(path).doesNotExist();
        }
    }
}
