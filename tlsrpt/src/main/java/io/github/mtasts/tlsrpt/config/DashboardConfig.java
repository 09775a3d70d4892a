package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.daemon.HttpAccess;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code dashboard:} section: the page served at {@code /} on the daemon's HTTP listener (off by default).
 * Reports reveal infrastructure (addresses, MX names), so a request must carry the token
 * ({@code Authorization: Bearer TOKEN} or {@code ?token=TOKEN}) or the basic-auth credentials when either is set.
 *
 * @param token     accepted as a bearer token or {@code token} query parameter
 * @param basicAuth accepted as HTTP basic authentication (RFC 7617), which a browser prompts for
 */
public record DashboardConfig(boolean enabled, Optional<String> token, Optional<BasicAuth> basicAuth) {

    public static final DashboardConfig DEFAULT = new DashboardConfig(false, Optional.empty(), Optional.empty());

    public DashboardConfig {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(basicAuth, "basicAuth");
        if (token.isPresent() && token.get().isEmpty()) {
            throw new IllegalArgumentException("empty token");
        }
    }

    /** Whether every request must authenticate. */
    public boolean requiresAuth() {
        return token.isPresent() || basicAuth.isPresent();
    }

    /** These credentials as the rule of an HTTP listener: they guard every listener of the suite. */
    public HttpAccess access() {
        return HttpAccess.of(token, basicAuth.map(BasicAuth::username), basicAuth.map(BasicAuth::password));
    }

    /** RFC 7617 §2: the user-id cannot contain a colon, it ends where the password starts. */
    public record BasicAuth(String username, String password) {
        public BasicAuth {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            if (username.isEmpty() || username.contains(":")) {
                throw new IllegalArgumentException("a user name must be non-empty without ':'");
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException("empty password");
            }
        }

        @Override
        public String toString() {
            return "BasicAuth[username=" + username + ", password=(hidden)]";
        }
    }
}
