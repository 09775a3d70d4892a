package io.github.mtasts.resolver.daemon;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * Who may use an HTTP listener: everyone, or a request carrying the configured token
 * ({@code Authorization: Bearer TOKEN} or {@code ?token=TOKEN}, a browser bookmark) or basic-auth credentials
 * (RFC 7617, which a browser prompts for). One rule for every path, {@code /metrics} included: metrics reveal
 * infrastructure too (domain names, report addresses in labels). Prometheus sends either kind
 * ({@code authorization} or {@code basic_auth} in a scrape config).
 */
public final class HttpAccess {

    /** Every request is served: only for a listener on a loopback address. */
    public static final HttpAccess OPEN = new HttpAccess(Optional.empty(), Optional.empty());

    private final Optional<byte[]> tokenDigest;
    private final Optional<byte[]> basicDigest;

    private HttpAccess(Optional<byte[]> tokenDigest, Optional<byte[]> basicDigest) {
        this.tokenDigest = tokenDigest;
        this.basicDigest = basicDigest;
    }

    /**
     * A request must carry {@code token} or the basic-auth {@code username} and {@code password} (either configured
     * kind); both empty means {@link #OPEN}. The suite takes them from the {@code dashboard:} section, which protects
     * every HTTP listener.
     */
    public static HttpAccess of(Optional<String> token, Optional<String> username, Optional<String> password) {
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("basic authentication needs both username and password");
        }
        return new HttpAccess(token.map(HttpAccess::digest),
                username.map(user -> digest(user + ":" + password.orElseThrow())));
    }

    /** Whether a request must authenticate. */
    public boolean requiresAuth() {
        return tokenDigest.isPresent() || basicDigest.isPresent();
    }

    /**
     * Whether the request may be served. Two SHA-256 digests of header-sized input at most: cheap enough for the
     * event loop, so unauthenticated requests never reach the executor that renders pages.
     */
    boolean permits(HttpEndpoint.Request request) {
        if (!requiresAuth()) {
            return true;
        }
        Optional<String> header = request.header("Authorization");
        if (header.isPresent() && header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return matches(tokenDigest, header.get().substring(7).trim());
        }
        if (header.isPresent() && header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                return matches(basicDigest, new String(Base64.getDecoder().decode(header.get().substring(6).trim()),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (!request.rawQuery().isEmpty()) {
            for (String pair : request.rawQuery().split("&")) {
                try {
                    if (pair.startsWith("token=") && matches(tokenDigest,
                            URLDecoder.decode(pair.substring("token=".length()), StandardCharsets.UTF_8))) {
                        return true;
                    }
                } catch (IllegalArgumentException malformedEscape) {
                    return false;
                }
            }
        }
        return false;
    }

    /** 401 with a challenge for each kind of credential configured. */
    HttpEndpoint.Response unauthorized() {
        HttpEndpoint.Response response = HttpEndpoint.Response.status(401);
        if (basicDigest.isPresent()) {
            response = response.withHeader("WWW-Authenticate", "Basic realm=\"mtasts\", charset=\"UTF-8\"");
        }
        if (tokenDigest.isPresent()) {
            response = response.withHeader("WWW-Authenticate", "Bearer realm=\"mtasts\"");
        }
        return response;
    }

    /**
     * Compares digests in constant time: neither the time of a wrong guess nor the length of the secret tells an
     * attacker how close the guess came.
     */
    private static boolean matches(Optional<byte[]> expected, String candidate) {
        return expected.isPresent() && MessageDigest.isEqual(expected.get(), digest(candidate));
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
