package io.github.mtasts.resolver.policy;

import java.util.List;
import java.util.Objects;

/**
 * One MX host's part of a DANE state.
 *
 * @param host    the MX host name, lowercase, without trailing dot
 * @param status  what its TLSA lookup found
 * @param records the TLSA records found (empty unless secure or insecure records exist)
 * @param detail  why, for humans (the DNS outcome)
 */
public record DaneHost(String host, TlsaStatus status, List<DaneTlsa> records, String detail) {

    public DaneHost {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(status, "status");
        records = List.copyOf(records);
        Objects.requireNonNull(detail, "detail");
    }
}
