package io.github.mtasts.tlsrpt.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sends datagrams to a unix datagram socket the way libtlsrpt does: an unbound AF_UNIX SOCK_DGRAM socket and
 * {@code sendto} the path, one payload per call.
 */
public final class DatagramSender implements AutoCloseable {
    private final Socket socket;
    private final byte[] path;
    private final ByteBuf buffer = Unpooled.directBuffer(256 * 1024 + 16);

    public DatagramSender(Path target) {
        Epoll.ensureAvailability();
        this.socket = Socket.newSocketDomainDgram();
        this.path = target.toString().getBytes(StandardCharsets.UTF_8);
    }

    public void send(byte[] payload) throws IOException {
        ByteBuffer direct = buffer.nioBuffer(0, buffer.capacity());
        direct.put(payload).flip();
        int sent = socket.sendToDomainSocket(direct, 0, direct.limit(), path);
        if (sent != payload.length) {
            throw new IOException("sent " + sent + " of " + payload.length + " bytes");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        buffer.release();
    }
}
