package io.github.mtasts.resolver.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLS policy the administrator fixed for a domain, answered instead of its MTA-STS policy (issue #18).
 *
 * @param pattern the normalised domain it applies to; with a leading '.' every subdomain and not the domain itself,
 *                as in Postfix's own tables ({@code smtp_tls_policy_maps}, "the parent domain starting with a leading
 *                '.' is matched recursively")
 * @param outcome what Postfix is told
 * @param match   for {@link Outcome#SECURE} only: Postfix {@code match} patterns (host names, {@code .parent}
 *                domains), in order; empty otherwise
 */
public record PolicyOverride(String pattern, Outcome outcome, List<String> match) {

    /**
     * The answers an override may give. Postfix's words, answered literally, except {@link #NONE}, which follows
     * MTA-STS {@code mode: none} and answers {@code NOTFOUND} (Postfix then applies its own
     * {@code smtp_tls_security_level}). Postfix's {@code none} (no TLS at all), {@code verify} (trusts the MX
     * lookup) and {@code fingerprint} (needs certificate digests) are not offered: a weaker or pinned policy belongs
     * in a Postfix table listed before the socketmap, where it is visible in Postfix's own configuration.
     */
    public enum Outcome {
        NONE("none"),
        MAY("may"),
        ENCRYPT("encrypt"),
        DANE("dane"),
        DANE_ONLY("dane-only"),
        SECURE("secure");

        private final String word;

        Outcome(String word) {
            this.word = word;
        }

        /** The word in the configuration, which is Postfix's security level except for {@link #NONE}. */
        public String word() {
            return word;
        }

        public static Optional<Outcome> fromWord(String word) {
            for (Outcome outcome : values()) {
                if (outcome.word.equals(word)) {
                    return Optional.of(outcome);
                }
            }
            return Optional.empty();
        }
    }

    public PolicyOverride {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(outcome, "outcome");
        match = List.copyOf(match);
        if (outcome == Outcome.SECURE && match.isEmpty()) {
            throw new IllegalArgumentException("an override to secure needs match patterns: " + pattern);
        }
        if (outcome != Outcome.SECURE && !match.isEmpty()) {
            throw new IllegalArgumentException("match patterns apply to secure only: " + pattern);
        }
    }

    /** Whether this entry is a {@code .parent} wildcard, for the subdomains of {@link #domain()}. */
    public boolean subdomains() {
        return pattern.charAt(0) == '.';
    }

    /** The domain named, without the wildcard's leading '.'. */
    public String domain() {
        return subdomains() ? pattern.substring(1) : pattern;
    }

    /** Postfix's {@code match} attribute value: the patterns joined by ':'. */
    public String postfixMatch() {
        return String.join(":", match);
    }

    /** How the override reads in logs and in {@code check} and {@code query}: the outcome and its patterns. */
    public String describe() {
        return outcome == Outcome.SECURE ? "secure match=" + postfixMatch() : outcome.word();
    }
}
