package io.github.mtasts.resolver.daemon;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd ({@code Type=notify}) that the daemon is ready or stopping, by sending a datagram to the
 * socket named in {@code NOTIFY_SOCKET} (sd_notify(3)). Without that variable nothing is sent.
 */
public final class SystemdNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    private final Optional<String> socketPath;

    public SystemdNotifier(Optional<String> socketPath) {
        this.socketPath = socketPath.filter(p -> !p.isEmpty());
    }

    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(Optional.ofNullable(System.getenv("NOTIFY_SOCKET")));
    }

    public void ready() {
        send("READY=1\nSTATUS=answering socketmap requests");
    }

    public void stopping() {
        send("STOPPING=1");
    }

    /** Sends {@code state}; returns whether it was sent. Failure only costs a log line: it must not stop the daemon. */
    boolean send(String state) {
        if (socketPath.isEmpty()) {
            return false;
        }
        if (!Epoll.isAvailable()) {
            LOG.warn("NOTIFY_SOCKET is set but native epoll is unavailable; cannot notify systemd");
            return false;
        }
        // sd_notify(3): a leading '@' names a socket in the abstract namespace
        String path = socketPath.get().startsWith("@") ? "\0" + socketPath.get().substring(1) : socketPath.get();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(new DomainSocketAddress(path)).sync().channel();
            channel.writeAndFlush(Unpooled.copiedBuffer(state, StandardCharsets.UTF_8)).sync();
            channel.close().sync();
            return true;
        } catch (Exception e) {
            LOG.warn("could not notify systemd at {}: {}", socketPath.get(), e.toString());
            return false;
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
