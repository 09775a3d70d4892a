package io.github.mtasts.resolver.socketmap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/** Writes a reply payload (a {@code String}) as a UTF-8 netstring. */
@Sharable
public final class NetstringEncoder extends MessageToByteEncoder<String> {

    public NetstringEncoder() {
        super(String.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, String reply, ByteBuf out) {
        byte[] payload = reply.getBytes(StandardCharsets.UTF_8);
        out.writeCharSequence(Integer.toString(payload.length), StandardCharsets.US_ASCII);
        out.writeByte(':');
        out.writeBytes(payload);
        out.writeByte(',');
    }
}
