package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.resolver.socketmap.SocketmapServer;
import io.github.mtasts.resolver.socketmap.UnixSocketOwnership;
import io.github.mtasts.tlsrpt.datagrams.DatagramDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The unix datagram socket Postfix's libtlsrpt sends to ({@code smtp_tlsrpt_socket_name}): one payload per
 * datagram handed to {@code receiver} on the socket's one event loop. Linux only: the JDK has no unix datagram
 * channel, so this runs on Netty's native epoll transport.
 *
 * <p>At start, a socket file left at the path by a previous run that died (kill -9) is removed; one that a live
 * process still receives on is not (a second collector, or sys4's tlsrpt-collectd): start-up stops with an error
 * rather than silently taking Postfix's reports away from it. Anything else at the path is never deleted. The
 * file is removed at {@link #close()}.
 */
public final class DatagramSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramSocket.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    /**
     * The kernel buffer asked for datagrams not read yet: room for bursts while the event loop is busy. The kernel
     * grants at most {@code net.core.rmem_max}, and AF_UNIX also caps the queue at {@code net.unix.max_dgram_qlen}
     * datagrams, whichever is reached first.
     */
    private static final int RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

    private final Path path;
    private final EventLoopGroup group;
    private final Channel channel;

    private DatagramSocket(Path path, EventLoopGroup group, Channel channel) {
        this.path = path;
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code path}, gives it {@code mode} and {@code ownership}, and hands each datagram received to
     * {@code receiver} (on the event loop: it must not block).
     *
     * @throws IOException naming the path and the cause: epoll unavailable, a live listener or a non-socket file
     *                     at the path, bind, chmod or chown failures
     */
    public static DatagramSocket bind(Path path, OptionalInt mode, UnixSocketOwnership ownership,
                                      Consumer<byte[]> receiver) throws IOException {
        Objects.requireNonNull(receiver, "receiver");
        if (!Epoll.isAvailable()) {
            throw new IOException("cannot receive TLSRPT datagrams on " + path + ": the unix datagram socket needs"
                    + " Netty's native epoll transport (Linux), unavailable here: "
                    + Epoll.unavailabilityCause().getMessage());
        }
        removeStaleSocket(path);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                // one byte over the limit: a datagram that fills it was longer and is refused as oversize, rather
                // than read cut off by the kernel
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(DatagramDecoder.MAX_DATAGRAM_BYTES + 1))
                .handler(new Receiver(receiver));
        ChannelFuture bind = bootstrap.bind(new DomainSocketAddress(path.toString())).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new IOException("cannot receive TLSRPT datagrams on " + path + ": " + bind.cause().getMessage(),
                    bind.cause());
        }
        DatagramSocket socket = new DatagramSocket(path, group, bind.channel());
        try {
            // Netty's unix datagram channel takes no SO_RCVBUF option (it would only warn): set on its socket
            socket.socket().setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
            if (mode.isPresent()) {
                Files.setPosixFilePermissions(path, SocketmapServer.permissions(mode.getAsInt()));
            }
            ownership.applyTo(path);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw new IOException("tlsrpt.socket " + path + ": " + e.getMessage(), e);
        }
        LOG.info("receiving TLSRPT datagrams on unix:{}", path);
        return socket;
    }

    public Path path() {
        return path;
    }

    /** The kernel's receive buffer of the socket, in bytes (Linux reports twice what was granted). */
    int receiveBufferBytes() throws IOException {
        return socket().getReceiveBufferSize();
    }

    private Socket socket() {
        return (Socket) ((EpollDomainDatagramChannel) channel).fd();
    }

    /**
     * A socket file nobody receives on (its process died) would make bind fail: removed. A socket some process
     * still receives on is not ours to take: sending to it is how that shows.
     */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int fileMode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((fileMode & S_IFMT) != S_IFSOCK) {
            throw new IOException("cannot receive TLSRPT datagrams on " + path + ": a file that is not a socket"
                    + " exists there");
        }
        if (isLive(path)) {
            throw new IOException("cannot receive TLSRPT datagrams on " + path + ": another process receives on"
                    + " that socket (a running collector or tlsrpt-collectd); stop it or set another tlsrpt.socket");
        }
        LOG.info("removing the stale socket {} a previous run left", path);
        Files.delete(path);
    }

    /** Whether a datagram socket is bound at {@code path}: connecting to one nobody is bound to is refused. */
    private static boolean isLive(Path path) throws IOException {
        Socket probe = Socket.newSocketDomainDgram();
        try {
            probe.connect(new DomainSocketAddress(path.toString()));
            return true;
        } catch (ConnectException e) {
            // Netty words ECONNREFUSED with strerror(3), which the JVM runs in the C locale
            if (e.getMessage() != null && e.getMessage().endsWith("Connection refused")) {
                return false;
            }
            throw new IOException("cannot tell whether a process receives on " + path + ": " + e.getMessage(), e);
        } finally {
            probe.close();
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove socket file {}: {}", path, e.getMessage());
        }
    }

    private static final class Receiver extends SimpleChannelInboundHandler<DomainDatagramPacket> {
        private final Consumer<byte[]> receiver;

        Receiver(Consumer<byte[]> receiver) {
            this.receiver = receiver;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
            ByteBuf content = packet.content();
            receiver.accept(ByteBufUtil.getBytes(content));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a failed read leaves the socket usable: the next datagram is read as usual
            LOG.warn("reading a TLSRPT datagram failed: {}", cause.getMessage());
        }
    }
}
