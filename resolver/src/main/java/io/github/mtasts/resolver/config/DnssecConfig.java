package io.github.mtasts.resolver.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code dnssec:} section: where the DNSSEC status of MX and TLSA answers comes from.
 *
 * @param validation      who validates
 * @param trustAnchorFile for {@link Validation#INTERNAL}: the DS or DNSKEY records of the trust anchors, in zone
 *                        file syntax
 */
public record DnssecConfig(Validation validation, Optional<Path> trustAnchorFile) {

    public static final DnssecConfig DEFAULT = new DnssecConfig(Validation.RESOLVER, Optional.empty());

    /** Who validates DNSSEC signatures. */
    public enum Validation {
        /**
         * The resolver we ask, trusted through its AD bit only when it listens on loopback (as Postfix does): the
         * same resolver Postfix uses, so both see the same status.
         */
        RESOLVER,
        /** We validate ourselves from {@code trust_anchor_file}, for hosts without a local validating resolver. */
        INTERNAL;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DnssecConfig {
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(trustAnchorFile, "trustAnchorFile");
        if ((validation == Validation.INTERNAL) != trustAnchorFile.isPresent()) {
            throw new IllegalArgumentException("a trust anchor file goes with internal validation, and only with it");
        }
    }
}
