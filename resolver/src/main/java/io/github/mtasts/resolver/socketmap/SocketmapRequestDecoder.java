package io.github.mtasts.resolver.socketmap;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Netstring payload → {@link SocketmapRequest}, or {@link MalformedRequest} when the payload has no space.
 * Bytes that are not UTF-8 become U+FFFD: such a key cannot name a policy domain and the responder answers
 * {@code NOTFOUND } for it, which is Postfix's normal behaviour (fail open).
 */
public final class SocketmapRequestDecoder extends MessageToMessageDecoder<byte[]> {

    public SocketmapRequestDecoder() {
        super(byte[].class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, byte[] frame, List<Object> out) {
        String payload = new String(frame, StandardCharsets.UTF_8);
        SocketmapRequest request = SocketmapRequest.parse(payload);
        out.add(request != null ? request : new MalformedRequest(payload));
    }
}
