package io.github.mtasts.resolver.socketmap;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socketmap listener Postfix queries ({@code smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix}
 * or {@code socketmap:unix:/path:postfix}). Each connection runs
 * {@link NetstringDecoder} → {@link SocketmapRequestDecoder} → {@link PolicyLookupHandler}, answering through
 * {@link NetstringEncoder}. On the {@link SocketmapTransport} the configuration selects, by default the first
 * available of io_uring, epoll and NIO (UNIX sockets through JDK 16+ NIO).
 *
 * <p>At {@code max_connections}, a new connection is served and the longest-idle one closed instead (Postfix
 * reconnects when it next needs the map): refusing new ones would let idle or stuck clients defer all mail. Only
 * when every connection is waiting for an answer is the new one closed.
 *
 * <p>Started by systemd with sockets passed ({@link InheritedListener}), it serves those instead of binding, on
 * epoll whatever transport is configured: epoll's channels are the ones Netty can build around an existing
 * descriptor (io_uring's cannot, and NIO only wraps descriptor 0).
 */
public final class SocketmapServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SocketmapServer.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final SocketmapServerSettings settings;
    private final SocketmapResponder responder;
    private final SocketmapTransport transport;
    private final List<InheritedListener> inherited;
    private final ChannelGroup connections = new DefaultChannelGroup("socketmap", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean overLimit = new AtomicBoolean();
    private final AtomicLong refusedInEpisode = new AtomicLong();
    private final AtomicLong evictedInEpisode = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean draining;
    private EventLoopGroup group;
    private Channel listener;
    /** Listeners after the first, when systemd passed several sockets (TCP and UNIX, say). */
    private final List<Channel> moreListeners = new ArrayList<>();

    /** On the {@linkplain SocketmapTransport#preferred() preferred} transport. */
    public SocketmapServer(SocketmapServerSettings settings, SocketmapResponder responder) {
        this(settings, responder, SocketmapTransport.preferred());
    }

    /** @param transport one this system can run ({@link SocketmapTransport#select} checks a configured one) */
    public SocketmapServer(SocketmapServerSettings settings, SocketmapResponder responder,
            SocketmapTransport transport) {
        this(settings, responder, transport, List.of());
    }

    /**
     * @param inherited sockets systemd passed ({@link InheritedListener#fromSystemd()}); when there are any they
     *                  are served on epoll and the settings' host, port, path and mode are not used
     */
    public SocketmapServer(SocketmapServerSettings settings, SocketmapResponder responder,
            SocketmapTransport transport, List<InheritedListener> inherited) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.responder = Objects.requireNonNull(responder, "responder");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.inherited = List.copyOf(inherited);
    }

    /** Binds the listener and returns once it accepts connections (the moment to report readiness). */
    public void start() throws IOException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("socketmap server already started");
        }
        if (!inherited.isEmpty()) {
            serveInherited();
            return;
        }
        group = new MultiThreadIoEventLoopGroup(transport.eventLoops(Runtime.getRuntime().availableProcessors()),
                transport.ioHandlerFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).childHandler(new ConnectionInitializer());
        if (transport.keepsHalfClosedConnectionsOpen(settings.path().isPresent())) {
            // a client that half-closes after its requests still gets the answers (PolicyLookupHandler)
            bootstrap.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        SocketAddress address;
        if (settings.path().isPresent()) {
            Path path = settings.path().get();
            removeStaleSocket(path);
            address = transport.unixAddress(path);
            bootstrap.channel(transport.unixListener());
        } else {
            address = new InetSocketAddress(settings.host(), settings.port());
            bootstrap.channel(transport.tcpListener());
            if (settings.reusePort()) {
                bootstrap.option(transport.reusePort(), true);
            }
        }
        ChannelFuture bind = bootstrap.bind(address).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new IOException("cannot listen on " + describe(address) + ": " + bind.cause().getMessage(),
                    bind.cause());
        }
        listener = bind.channel();
        if (settings.path().isPresent() && settings.mode().isPresent()) {
            try {
                Files.setPosixFilePermissions(settings.path().get(), permissions(settings.mode().getAsInt()));
            } catch (IOException | RuntimeException e) {
                close(Duration.ZERO);
                throw new IOException("cannot set mode 0" + Integer.toOctalString(settings.mode().getAsInt())
                        + " on " + settings.path().get() + ": " + e.getMessage(), e);
            }
        }
        log.info("socketmap server listening on {} ({})", describe(address), transport.configName());
    }

    private void serveInherited() throws IOException {
        if (!SocketmapTransport.EPOLL.isAvailable()) {
            throw new IOException("systemd passed " + inherited.size() + " socket(s) but native epoll, the only"
                    + " transport that can serve an inherited socket, is unavailable: "
                    + SocketmapTransport.EPOLL.unavailabilityCause().map(Throwable::getMessage).orElse(""));
        }
        if (transport != SocketmapTransport.EPOLL) {
            log.info("serving the sockets systemd passed on epoll instead of {}: only epoll wraps a passed socket",
                    transport.configName());
        }
        group = new MultiThreadIoEventLoopGroup(
                SocketmapTransport.EPOLL.eventLoops(Runtime.getRuntime().availableProcessors()),
                SocketmapTransport.EPOLL.ioHandlerFactory());
        for (InheritedListener socket : inherited) {
            io.netty.channel.ChannelFactory<ServerChannel> wrap = socket.kind() == InheritedListener.Kind.TCP
                    ? () -> new EpollServerSocketChannel(socket.fd())
                    // (fd, true): the one-argument form takes the socket for unbound and never accepts on it
                    : () -> new EpollServerDomainSocketChannel(socket.fd(), true);
            // register, not bind: the socket already listens; an active channel starts accepting once registered
            // epoll keeps half-closed connections open for TCP and UNIX alike (PolicyLookupHandler answers them)
            ChannelFuture registered = new ServerBootstrap().group(group).channelFactory(wrap)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ConnectionInitializer()).register().awaitUninterruptibly();
            if (!registered.isSuccess()) {
                close(Duration.ZERO);
                throw new IOException("cannot serve the " + socket.describe() + ": "
                        + registered.cause().getMessage(), registered.cause());
            }
            if (listener == null) {
                listener = registered.channel();
            } else {
                moreListeners.add(registered.channel());
            }
            log.info("socketmap server listening on the {} (epoll)", socket.describe());
        }
    }

    /**
     * The bound address: an {@link InetSocketAddress} for TCP (with the real port when 0 was asked for), a
     * JDK {@link UnixDomainSocketAddress} for a UNIX socket whichever transport serves it.
     */
    public SocketAddress localAddress() {
        if (listener == null) {
            throw new IllegalStateException("socketmap server not started");
        }
        if (!inherited.isEmpty() && inherited.get(0).kind() == InheritedListener.Kind.UNIX) {
            // a passed UNIX channel does not know its path; the kernel told InheritedListener
            return inherited.get(0).path().<SocketAddress>map(UnixDomainSocketAddress::of).orElse(null);
        }
        SocketAddress bound = listener.localAddress();
        return bound instanceof DomainSocketAddress domain ? UnixDomainSocketAddress.of(domain.path()) : bound;
    }

    /** Connections open now (Postfix smtp processes holding one each). */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Stops accepting connections, lets each open connection finish the answers it owes (up to {@code grace}),
     * then closes everything. Idle connections close at once; Postfix reconnects to the next daemon.
     * Blocks, so never call it from an event-loop thread.
     */
    public void close(Duration grace) {
        if (!closed.compareAndSet(false, true) || group == null) {
            return;
        }
        draining = true;
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        moreListeners.forEach(l -> l.close().awaitUninterruptibly());
        for (Channel connection : connections) {
            drain(connection);
        }
        if (!connections.newCloseFuture().awaitUninterruptibly(grace.toMillis()) && !connections.isEmpty()) {
            log.warn("{} socketmap connections still owe answers after the shutdown grace of {}s; closing them",
                    connections.size(), grace.toMillis() / 1000.0);
            connections.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (inherited.isEmpty()) {
            // a passed socket's file is systemd's: it keeps listening there and starts us again on a connection
            settings.path().ifPresent(SocketmapServer::deleteQuietly);
        }
        log.info("socketmap server stopped");
    }

    /** Graceful close with the Python daemon's default {@code shutdown_timeout} of 20 s. */
    @Override
    public void close() {
        close(Duration.ofSeconds(20));
    }

    private static void drain(Channel connection) {
        connection.eventLoop().execute(() -> {
            PolicyLookupHandler handler = connection.pipeline().get(PolicyLookupHandler.class);
            if (handler != null) {
                handler.drain();
            } else {
                connection.close();
            }
        });
    }

    private final class ConnectionInitializer extends ChannelInitializer<Channel> {
        private final IdleCloser idleCloser = new IdleCloser();
        private final NetstringEncoder encoder = new NetstringEncoder();

        @Override
        protected void initChannel(Channel ch) {
            if (open.incrementAndGet() > settings.maxConnections() && !evictLongestIdle()) {
                open.decrementAndGet();
                refuse(ch);
                return;
            }
            ch.closeFuture().addListener(f -> connectionClosed());
            // added before reading `draining`, so close() either sees this connection or we see `draining`
            connections.add(ch);
            ch.pipeline().addLast(
                    // reader idle, not all idle: we write only answers to requests, so it is the same connection,
                    // and watching writes cost a promise and a listener per answer
                    new IdleStateHandler(settings.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS),
                    idleCloser,
                    new NetstringDecoder(settings.maxRequestLength(), settings.requestTimeout()),
                    encoder,
                    new SocketmapRequestDecoder(),
                    new PolicyLookupHandler(responder, settings.answerDeadline()));
            if (draining) {
                ch.close();
            }
        }
    }

    /**
     * Closes the connection that has owed nothing for longest, to make room for a new one. Only at the limit, so
     * the scan over all connections is off the request path. Several new connections at once each claim a
     * different one; the count stays above the limit only until the claimed connections have closed.
     *
     * @return false when every connection is waiting for an answer
     */
    private boolean evictLongestIdle() {
        while (true) {
            PolicyLookupHandler oldest = null;
            long oldestIdleSince = PolicyLookupHandler.BUSY;
            for (Channel connection : connections) {
                PolicyLookupHandler handler = connection.pipeline().get(PolicyLookupHandler.class);
                if (handler != null) {
                    long idleSince = handler.idleSince();
                    // nanoTime values compare by difference (they may wrap)
                    if (idleSince != PolicyLookupHandler.BUSY
                            && (oldest == null || idleSince - oldestIdleSince < 0)) {
                        oldest = handler;
                        oldestIdleSince = idleSince;
                    }
                }
            }
            if (oldest == null) {
                return false;
            }
            if (oldest.evict()) {
                overLimit(evictedInEpisode);
                return true;
            }
            // claimed by another new connection meanwhile: a claimed one no longer counts as idle, look again
        }
    }

    private void refuse(Channel ch) {
        overLimit(refusedInEpisode);
        ch.close();
    }

    private void overLimit(AtomicLong counter) {
        counter.incrementAndGet();
        // one line per episode: a flood of connections must not become a flood of log lines
        if (overLimit.compareAndSet(false, true)) {
            log.warn("{} socketmap connections open, the limit; closing the longest-idle connection for each new"
                    + " one (new ones while all are busy)", settings.maxConnections());
        }
    }

    private void connectionClosed() {
        if (open.decrementAndGet() < settings.maxConnections() && overLimit.compareAndSet(true, false)) {
            log.info("socketmap connections below the limit again; {} idle connections were closed for new ones,"
                    + " {} new ones refused", evictedInEpisode.getAndSet(0), refusedInEpisode.getAndSet(0));
        }
    }

    @Sharable
    private static final class IdleCloser extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                log.debug("closing idle socketmap connection from {}", ctx.channel().remoteAddress());
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }

    /** A socket left by a previous run would make bind fail; anything else at the path is not ours to delete. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("cannot listen on " + path + ": a file that is not a socket exists there");
        }
        Files.delete(path);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("cannot remove socket file {}: {}", path, e.getMessage());
        }
    }

    /** The permissions of the file mode {@code mode} (its 9 low bits), for a socket file. */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] byBit = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < byBit.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                permissions.add(byBit[bit]);
            }
        }
        return permissions;
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return "tcp:" + inet.getHostString() + ":" + inet.getPort();
        }
        if (address instanceof DomainSocketAddress domain) {
            return "unix:" + domain.path();
        }
        return address instanceof UnixDomainSocketAddress unix ? "unix:" + unix.getPath() : String.valueOf(address);
    }
}
