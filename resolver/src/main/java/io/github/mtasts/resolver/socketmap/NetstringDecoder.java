package io.github.mtasts.resolver.socketmap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Framing only: turns the byte stream into netstring payloads ({@code byte[]}), each at most
 * {@code maxLength} bytes. A malformed netstring is fired as a {@code DecoderException} whose cause is the
 * {@link NetstringException}; everything that arrives after it is discarded, as the framing is lost.
 */
public final class NetstringDecoder extends ByteToMessageDecoder {

    private final Netstring.Decoder decoder;
    private boolean failed;

    public NetstringDecoder(int maxLength) {
        this.decoder = new Netstring.Decoder(maxLength);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws NetstringException {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuffer view = in.nioBufferCount() == 1
                ? in.internalNioBuffer(in.readerIndex(), in.readableBytes())
                : in.nioBuffer();
        int start = view.position();
        try {
            // one frame per call: ByteToMessageDecoder calls again while frames come out and bytes remain
            Optional<byte[]> frame = decoder.next(view);
            frame.ifPresent(out::add);
        } catch (NetstringException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        in.skipBytes(view.position() - start);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws NetstringException {
        decode(ctx, in, out);
        if (!failed) {
            try {
                decoder.finish();
            } catch (NetstringException e) {
                failed = true;
                throw e;
            }
        }
    }
}
