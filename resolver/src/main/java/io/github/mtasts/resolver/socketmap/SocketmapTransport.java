package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.config.SocketmapConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The Netty transports the socketmap server can run on, each with its event-loop I/O handler, its TCP and UNIX
 * socket listener channels and its {@code SO_REUSEPORT} option. All three serve both kinds of socket.
 */
public enum SocketmapTransport {
    // in the order auto prefers them
    IO_URING(SocketmapConfig.Transport.IO_URING),
    EPOLL(SocketmapConfig.Transport.EPOLL),
    NIO(SocketmapConfig.Transport.NIO);

    private final SocketmapConfig.Transport configValue;

    SocketmapTransport(SocketmapConfig.Transport configValue) {
        this.configValue = configValue;
    }

    /**
     * What {@code transport: auto} runs on: io_uring where the kernel offers it (it answered cache hits faster
     * than epoll, docs/BENCHMARKS.md "io_uring"), else epoll, else NIO. io_uring is missing on kernels before
     * 5.9 (Netty's minimum), where {@code kernel.io_uring_disabled} is set, and under seccomp profiles that refuse
     * its system calls, as some container runtimes' defaults do: each shows as unavailable, and auto falls back.
     */
    public static SocketmapTransport preferred() {
        return preferredAmong(SocketmapTransport::isAvailable);
    }

    static SocketmapTransport preferredAmong(Predicate<SocketmapTransport> available) {
        for (SocketmapTransport transport : values()) {
            if (available.test(transport)) {
                return transport;
            }
        }
        return NIO;
    }

    /**
     * The transport the configuration asks for. A transport named explicitly that this system cannot run stops
     * start-up rather than falling back, so the administrator learns their choice is not in effect.
     *
     * @throws IllegalArgumentException naming the {@code socketmap.transport} key when the transport cannot run
     */
    public static SocketmapTransport select(SocketmapConfig.Transport wanted) {
        if (wanted == SocketmapConfig.Transport.AUTO) {
            return preferred();
        }
        for (SocketmapTransport transport : values()) {
            if (transport.configValue == wanted) {
                Optional<Throwable> missing = transport.unavailabilityCause();
                if (missing.isPresent()) {
                    throw new IllegalArgumentException("socketmap.transport: " + wanted.configName()
                            + " is not available on this system: " + missing.get().getMessage(), missing.get());
                }
                return transport;
            }
        }
        throw new IllegalStateException("every configurable transport has a SocketmapTransport: " + wanted);
    }

    /** Whether this JVM, operating system and kernel can run the transport. */
    public boolean isAvailable() {
        return unavailabilityCause().isEmpty();
    }

    /** Why the transport cannot run here (no native library, kernel too old, io_uring disabled); empty if it can. */
    public Optional<Throwable> unavailabilityCause() {
        return switch (this) {
            case IO_URING -> Optional.ofNullable(IoUring.unavailabilityCause());
            case EPOLL -> Optional.ofNullable(Epoll.unavailabilityCause());
            case NIO -> Optional.empty();
        };
    }

    /** The name used in the configuration file and in log lines. */
    public String configName() {
        return configValue.configName();
    }

    /**
     * How many event loops serve the connections on a machine with {@code cpus} processors. An io_uring loop
     * answers over 100,000 cache hits a second on its own, and on a machine shared with Postfix a second loop
     * only competes with the smtp processes for the CPUs and adds scheduling delay to the tail: on 2 CPUs one
     * io_uring loop gave 1.2-1.6x the throughput of two and a p99 under 1 ms at 16 connections where two gave
     * 1.7-2 ms (docs/BENCHMARKS.md "io_uring"). So io_uring takes one loop per two CPUs; epoll and NIO, which
     * wait in a system call per wake-up, keep one per CPU, which measured best for them.
     */
    int eventLoops(int cpus) {
        return this == IO_URING ? Math.max(1, cpus / 2) : Math.max(1, cpus);
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerChannel> tcpListener() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    Class<? extends ServerChannel> unixListener() {
        return switch (this) {
            case IO_URING -> IoUringServerDomainSocketChannel.class;
            case EPOLL -> EpollServerDomainSocketChannel.class;
            case NIO -> NioServerDomainSocketChannel.class;
        };
    }

    /**
     * Whether a connection whose client half-closed stays open for the answers it is owed: over TCP on every
     * transport, over UNIX sockets only on epoll. Netty 4.2's NIO and io_uring channels honour ALLOW_HALF_CLOSURE
     * only for a {@code SocketChannelConfig}, which their UNIX socket channels do not have, and close at the end of
     * input, losing an answer still being looked up. Postfix never half-closes, so only other clients notice.
     */
    boolean keepsHalfClosedConnectionsOpen(boolean unix) {
        return !unix || this == EPOLL;
    }

    /** NIO takes the JDK's UNIX socket address (JDK 16+); the native transports take Netty's. */
    SocketAddress unixAddress(Path path) {
        return this == NIO ? UnixDomainSocketAddress.of(path) : new DomainSocketAddress(path.toString());
    }

    ChannelOption<Boolean> reusePort() {
        return this == NIO ? NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT) : UnixChannelOption.SO_REUSEPORT;
    }
}
