package io.github.mtasts.resolver.dns;

import java.util.Objects;

/**
 * One MX record of a domain.
 *
 * @param name       the exchange's host name, lowercase, without trailing dot
 * @param preference the MX preference (lower is tried first)
 */
public record MxHost(String name, int preference) {

    public MxHost {
        Objects.requireNonNull(name, "name");
        if (preference < 0 || preference > 65535) {
            throw new IllegalArgumentException("MX preference must be 0..65535: " + preference);
        }
    }
}
