package io.github.mtasts.resolver.socketmap;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * A blocking socketmap client over TCP or a UNIX socket, speaking raw bytes so tests can also send what
 * Postfix never would. Reads block; tests bound them with JUnit's {@code @Timeout}, whose interrupt closes
 * the channel.
 */
final class SocketmapClient implements AutoCloseable {

    private final SocketChannel channel;
    private final Netstring.Decoder decoder = new Netstring.Decoder(100_000);
    private final ByteBuffer received = ByteBuffer.allocate(8192).flip();

    private SocketmapClient(SocketChannel channel) {
        this.channel = channel;
    }

    static SocketmapClient connect(SocketAddress address) throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        try {
            channel.connect(address);
            if (!(address instanceof UnixDomainSocketAddress)) {
                // so each write of a split request leaves as its own segment
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new SocketmapClient(channel);
    }

    void sendRaw(String bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.getBytes(UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    void send(String request) throws IOException {
        sendRaw(new String(Netstring.encode(request), UTF_8));
    }

    /** The next reply payload; fails when the server closes the connection first. */
    String receive() throws IOException, NetstringException {
        while (true) {
            Optional<byte[]> frame = decoder.next(received);
            if (frame.isPresent()) {
                return new String(frame.get(), UTF_8);
            }
            if (!fill()) {
                throw new IOException("connection closed by the server while waiting for a reply");
            }
        }
    }

    /** Half-closes: the server sees the end of the requests, the client can still read answers. */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    String query(String request) throws IOException, NetstringException {
        send(request);
        return receive();
    }

    /** True once the server has closed the connection, having sent nothing more. */
    boolean closedByServer() throws IOException {
        if (received.hasRemaining()) {
            return false;
        }
        try {
            return !fill();
        } catch (IOException reset) {
            return true;
        }
    }

    private boolean fill() throws IOException {
        received.compact();
        try {
            return channel.read(received) >= 0;
        } finally {
            received.flip();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
