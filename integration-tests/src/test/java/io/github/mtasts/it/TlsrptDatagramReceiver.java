package io.github.mtasts.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands where a TLSRPT collector would: a real AF_UNIX datagram socket at {@code smtp_tlsrpt_socket_name}
 * that records what Postfix's libtlsrpt sends (one JSON datagram per TLS handshake), for tests to read. It
 * only records; the collector proper is the product's job.
 */
final class TlsrptDatagramReceiver implements AutoCloseable {

    private final Path socket;
    private final EventLoopGroup group;
    private final Channel channel;
    private final List<String> datagrams = new CopyOnWriteArrayList<>();

    private TlsrptDatagramReceiver(Path socket) {
        this.socket = socket;
        this.group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            this.channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext context, DomainDatagramPacket packet) {
                            datagrams.add(packet.content().toString(StandardCharsets.UTF_8));
                        }
                    })
                    .bind(new DomainSocketAddress(socket.toFile())).syncUninterruptibly().channel();
            // smtp(8) sends as the postfix user
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully();
            throw new IllegalStateException("cannot receive TLSRPT datagrams on " + socket, e);
        }
    }

    /** Binds a receiver to {@code socket}, a path that must not exist yet. */
    static TlsrptDatagramReceiver bind(Path socket) {
        try {
            Files.createDirectories(socket.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TlsrptDatagramReceiver(socket);
    }

    Path socket() {
        return socket;
    }

    /** Every datagram received so far, in arrival order, as the UTF-8 text Postfix sent. */
    List<String> datagrams() {
        return List.copyOf(datagrams);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully().syncUninterruptibly();
    }
}
