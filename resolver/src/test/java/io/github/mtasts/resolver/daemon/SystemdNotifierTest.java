package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifierTest {

    @Test
    void sendsReadyToTheNotifySocket(@TempDir Path dir) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Path socket = dir.resolve("notify");
        try {
            Channel server = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                            received.add(packet.content().toString(StandardCharsets.UTF_8));
                        }
                    }).bind(new DomainSocketAddress(socket.toString())).sync().channel();

            new SystemdNotifier(Optional.of(socket.toString())).ready();

            assertThat(received.poll(10, TimeUnit.SECONDS)).startsWith("READY=1");
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        assertThat(new SystemdNotifier(Optional.empty()).send("READY=1")).isFalse();
        assertThat(new SystemdNotifier(Optional.of("")).send("READY=1")).isFalse();
    }

    @Test
    void aMissingSocketCostsOnlyALogLine(@TempDir Path dir) {
        assertThat(new SystemdNotifier(Optional.of(dir.resolve("absent").toString())).send("READY=1")).isFalse();
    }
}
