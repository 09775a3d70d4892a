package io.github.mtasts.resolver.socketmap;

import java.util.concurrent.CompletionStage;

/** Answers one socketmap request; the lookup behind it (cache, discovery, zones) is not the server's business. */
public interface SocketmapResponder {

    /**
     * @return the reply payload, e.g. {@code OK secure match=...} or {@code NOTFOUND }; it must not block the
     *         calling (event loop) thread
     */
    CompletionStage<String> respond(SocketmapRequest request);
}
