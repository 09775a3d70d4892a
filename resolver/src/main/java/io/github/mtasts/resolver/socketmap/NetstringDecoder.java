package io.github.mtasts.resolver.socketmap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Framing only: turns the byte stream into netstring payloads ({@code byte[]}), each at most
 * {@code maxLength} bytes. A malformed netstring is fired as a {@code DecoderException} whose cause is the
 * {@link NetstringException}; everything that arrives after it is discarded, as the framing is lost.
 * A netstring left unfinished for longer than the frame timeout fails the same way ({@code TIMED_OUT}): a
 * client holding half a request must not hold a connection slot until the idle timeout.
 */
public final class NetstringDecoder extends ByteToMessageDecoder {

    private final Netstring.Decoder decoder;
    /** Zero for no limit. */
    private final long frameTimeoutNanos;
    private boolean failed;
    private ScheduledFuture<?> frameTimer;

    /** Without a limit on the time a netstring may take to arrive. */
    public NetstringDecoder(int maxLength) {
        this.decoder = new Netstring.Decoder(maxLength);
        this.frameTimeoutNanos = 0;
    }

    /** @param frameTimeout longest time from a read that leaves a netstring unfinished to its completion */
    public NetstringDecoder(int maxLength, Duration frameTimeout) {
        if (frameTimeout.isNegative() || frameTimeout.isZero()) {
            throw new IllegalArgumentException("frame timeout must be positive, got " + frameTimeout);
        }
        this.decoder = new Netstring.Decoder(maxLength);
        this.frameTimeoutNanos = frameTimeout.toNanos();
    }

    /**
     * Checked once per read batch, not per byte or frame: on the hit path (whole requests) it costs one field
     * test, and a timer exists only while a client holds half a netstring.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (frameTimeoutNanos > 0) {
            if (decoder.inFrame() && !failed) {
                if (frameTimer == null) {
                    frameTimer = ctx.executor().schedule(() -> frameTimedOut(ctx), frameTimeoutNanos,
                            TimeUnit.NANOSECONDS);
                }
            } else {
                cancelFrameTimer();
            }
        }
        super.channelReadComplete(ctx);
    }

    private void frameTimedOut(ChannelHandlerContext ctx) {
        frameTimer = null;
        if (decoder.inFrame() && !failed && ctx.channel().isActive()) {
            failed = true;
            ctx.fireExceptionCaught(new DecoderException(new NetstringException(NetstringException.Kind.TIMED_OUT,
                    "netstring unfinished after " + TimeUnit.NANOSECONDS.toMillis(frameTimeoutNanos) + " ms")));
        }
    }

    private void cancelFrameTimer() {
        if (frameTimer != null) {
            frameTimer.cancel(false);
            frameTimer = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelFrameTimer();
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
