package io.github.mtasts.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Sends datagrams as libtlsrpt does: an unbound AF_UNIX datagram socket, {@code sendto} the path. */
final class DatagramClient {

    private DatagramClient() {
    }

    /** Sends each payload to {@code path}, first waiting (up to a minute) for the collector to bind it. */
    static void send(Path path, String... payloads) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!Files.exists(path) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Epoll.ensureAvailability();
        Socket socket = Socket.newSocketDomainDgram();
        ByteBuf buffer = Unpooled.directBuffer(64 * 1024);
        try {
            for (String payload : payloads) {
                ByteBuffer direct = buffer.nioBuffer(0, buffer.capacity());
                direct.put(payload.getBytes(StandardCharsets.UTF_8)).flip();
                socket.sendToDomainSocket(direct, 0, direct.limit(), path.toString().getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            socket.close();
            buffer.release();
        }
    }
}
