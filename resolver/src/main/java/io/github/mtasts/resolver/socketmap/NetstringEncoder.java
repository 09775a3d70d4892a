package io.github.mtasts.resolver.socketmap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes a reply payload (a {@code String}) as a UTF-8 netstring. */
@Sharable
public final class NetstringEncoder extends MessageToByteEncoder<String> {

    public NetstringEncoder() {
        super(String.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, String reply, ByteBuf out) {
        // straight into the buffer, without the byte[] and length String a getBytes() would cost per answer
        int length = ByteBufUtil.utf8Bytes(reply);
        out.ensureWritable(10 + 1 + length + 1);
        writeDecimal(out, length);
        out.writeByte(':');
        ByteBufUtil.writeUtf8(out, reply);
        out.writeByte(',');
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, String reply, boolean preferDirect) {
        // the netstring's exact size for ASCII replies (all of Postfix's), so no buffer grows while encoding
        int size = 10 + 1 + reply.length() + 1;
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    private static void writeDecimal(ByteBuf out, int value) {
        int divisor = 1;
        while (value / divisor >= 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            out.writeByte('0' + value / divisor % 10);
        }
    }
}
