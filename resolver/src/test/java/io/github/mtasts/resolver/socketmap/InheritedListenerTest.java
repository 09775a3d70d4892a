package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class InheritedListenerTest {

    private static final String UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n";
    private static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode\n";

    @TempDir
    Path proc;

    private final SocketmapResponder responder = request -> CompletableFuture.completedFuture(
            request.key().equals("example.com") ? "OK secure match=mx.example.com" : "NOTFOUND ");

    @Test
    void withoutListenVariablesNothingIsInherited() throws IOException {
        assertThat(InheritedListener.fromSystemd(Map.of(), 42, proc)).isEmpty();
    }

    @Test
    void variablesMeantForAnotherProcessAreIgnored() throws IOException {
        // a parent that was activated leaks LISTEN_* into what it starts; sd_listen_fds(3) checks the pid
        assertThat(InheritedListener.fromSystemd(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "1"), 42, proc)).isEmpty();
    }

    @Test
    void tcpSocketIsRecognisedByItsInodeInTheTcpTable() throws IOException {
        fakeProc(3, "1208", "", "   0: 0100007F:210D 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
                + "     0        0 1208 1 0000000000000000 100 0 0 10 0\n");
        assertThat(InheritedListener.fromSystemd(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1"), 42, proc))
                .containsExactly(new InheritedListener(3, InheritedListener.Kind.TCP, Optional.empty()));
    }

    @Test
    void unixSocketIsRecognisedWithItsPath() throws IOException {
        fakeProc(3, "277887", "0000000000000000: 00000002 00000000 00010000 0001 01 277887"
                + " /var/spool/postfix/private/mtasts\n", "");
        assertThat(InheritedListener.fromSystemd(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1"), 42, proc))
                .containsExactly(new InheritedListener(3, InheritedListener.Kind.UNIX,
                        Optional.of(Path.of("/var/spool/postfix/private/mtasts"))));
    }

    @Test
    void aConnectedUnixSocketIsNotAListener() throws IOException {
        fakeProc(3, "277887", "0000000000000000: 00000002 00000000 00000000 0001 03 277887\n", "");
        assertThatThrownBy(() -> InheritedListener.fromSystemd(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1"), 42,
                proc)).isInstanceOf(IOException.class).hasMessageContaining("descriptor 3 is neither");
    }

    @Test
    void aDescriptorThatIsNotASocketIsRefusedByNumber() throws IOException {
        Files.createDirectories(proc.resolve("self/fd"));
        Files.createSymbolicLink(proc.resolve("self/fd/3"), Path.of("/var/log/syslog"));
        assertThatThrownBy(() -> InheritedListener.fromSystemd(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1"), 42,
                proc)).hasMessage("LISTEN_FDS: descriptor 3 is not a socket but /var/log/syslog");
    }

    @Test
    void aMissingDescriptorIsRefused() {
        assertThatThrownBy(() -> InheritedListener.fromSystemd(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2"), 42,
                proc)).hasMessage("LISTEN_FDS: descriptor 3 is not open");
    }

    @Test
    void aMalformedCountIsRefused() {
        assertThatThrownBy(() -> InheritedListener.fromSystemd(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "two"), 42,
                proc)).hasMessage("LISTEN_FDS: expected a number of descriptors, got \"two\"");
    }

    @Test
    void serverAnswersOnAnInheritedTcpSocketWithoutBindingAnother() throws Exception {
        assumeThat(Epoll.isAvailable()).isTrue();
        LinuxSocket socket = LinuxSocket.newSocketStream(false);
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        socket.listen(16);
        InetSocketAddress bound = socket.localAddress();
        var inherited = new InheritedListener(socket.intValue(), InheritedListener.Kind.TCP, Optional.empty());
        // the settings name another port: an inherited socket replaces what the configuration says
        try (SocketmapServer server = new SocketmapServer(SocketmapServerSettings.tcp("127.0.0.1", 1),
                responder, SocketmapTransport.NIO, List.of(inherited))) {
            server.start();
            assertThat(server.localAddress()).isEqualTo(bound);
            try (SocketmapClient client = SocketmapClient.connect(bound)) {
                assertThat(client.query("postfix example.com")).isEqualTo("OK secure match=mx.example.com");
            }
            server.close(Duration.ZERO);
        }
    }

    @Test
    void serverAnswersOnAnInheritedUnixSocketAndLeavesItsFile(@TempDir Path dir) throws Exception {
        assumeThat(Epoll.isAvailable()).isTrue();
        Path path = dir.resolve("mtasts.sock");
        LinuxSocket socket = LinuxSocket.newSocketDomain();
        socket.bind(new DomainSocketAddress(path.toString()));
        socket.listen(16);
        var inherited = new InheritedListener(socket.intValue(), InheritedListener.Kind.UNIX, Optional.of(path));
        try (SocketmapServer server = new SocketmapServer(SocketmapServerSettings.defaults(), responder,
                SocketmapTransport.preferred(), List.of(inherited))) {
            server.start();
            assertThat(server.localAddress()).isEqualTo(UnixDomainSocketAddress.of(path));
            try (SocketmapClient client = SocketmapClient.connect(UnixDomainSocketAddress.of(path))) {
                assertThat(client.query("postfix example.net")).isEqualTo("NOTFOUND ");
            }
            server.close(Duration.ZERO);
        }
        // systemd's socket unit owns the file and keeps listening on it for the next start
        assertThat(path).exists();
    }

    private void fakeProc(int fd, String inode, String unixLines, String tcpLines) throws IOException {
        Files.createDirectories(proc.resolve("self/fd"));
        Files.createDirectories(proc.resolve("self/net"));
        Files.createSymbolicLink(proc.resolve("self/fd/" + fd), Path.of("socket:[" + inode + "]"));
        Files.writeString(proc.resolve("self/net/unix"), UNIX_HEADER + unixLines);
        Files.writeString(proc.resolve("self/net/tcp"), TCP_HEADER + tcpLines);
        Files.writeString(proc.resolve("self/net/tcp6"), TCP_HEADER);
    }
}
