package io.github.mtasts.resolver.socketmap;

import java.util.Objects;

/**
 * One socketmap query as Postfix's dict_sockmap sends it: {@code <mapName> <key>}. For
 * {@code socketmap:inet:127.0.0.1:8461:postfix} the map name is {@code postfix}, which selects the zone;
 * the key is the next-hop domain exactly as Postfix wrote it (normalisation is the responder's job).
 */
public record SocketmapRequest(String mapName, String key) {

    public SocketmapRequest {
        Objects.requireNonNull(mapName, "mapName");
        Objects.requireNonNull(key, "key");
    }

    /** Splits a request payload at its first space, or returns null when it has none. */
    static SocketmapRequest parse(String payload) {
        int space = payload.indexOf(' ');
        return space < 0 ? null : new SocketmapRequest(payload.substring(0, space), payload.substring(space + 1));
    }
}
