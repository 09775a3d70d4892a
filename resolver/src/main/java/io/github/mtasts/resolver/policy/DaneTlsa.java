package io.github.mtasts.resolver.policy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One TLSA record's fields (RFC 6698 §2.1).
 *
 * @param usage        certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
 * @param selector     0 full certificate, 1 SubjectPublicKeyInfo
 * @param matchingType 0 exact, 1 SHA-256, 2 SHA-512
 * @param data         the certificate association data, lowercase hex
 */
public record DaneTlsa(int usage, int selector, int matchingType, String data) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]*");

    public DaneTlsa {
        for (int field : new int[] {usage, selector, matchingType}) {
            if (field < 0 || field > 255) {
                throw new IllegalArgumentException("TLSA fields are 8-bit values: " + field);
            }
        }
        Objects.requireNonNull(data, "data");
        if (!HEX.matcher(data).matches()) {
            throw new IllegalArgumentException("TLSA data must be lowercase hex: " + data);
        }
    }

    /**
     * RFC 7672 §3.1.3 (and §3.1.1/§3.1.2): SMTP uses only DANE-TA(2) and DANE-EE(3), with selector 0 or 1 and
     * matching type 0, 1 or 2; PKIX-TA(0) and PKIX-EE(1) records and unknown values are unusable.
     */
    public boolean usable() {
        return (usage == 2 || usage == 3) && (selector == 0 || selector == 1) && matchingType <= 2
                && !data.isEmpty();
    }

    /**
     * RFC 6698 §2.1.2, §2.1.3: whether this record's data is the selected part of a certificate, as is or digested.
     *
     * @param certificate          the certificate, DER
     * @param subjectPublicKeyInfo its SubjectPublicKeyInfo, DER
     */
    public boolean matches(byte[] certificate, byte[] subjectPublicKeyInfo) {
        byte[] selected = switch (selector) {
            case 0 -> certificate;
            case 1 -> subjectPublicKeyInfo;
            default -> null;
        };
        String algorithm = switch (matchingType) {
            case 1 -> "SHA-256";
            case 2 -> "SHA-512";
            default -> null;
        };
        if (selected == null || (algorithm == null && matchingType != 0)) {
            return false;
        }
        try {
            byte[] value = algorithm == null ? selected : MessageDigest.getInstance(algorithm).digest(selected);
            return HexFormat.of().formatHex(value).equals(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + algorithm, e);
        }
    }

    /** The presentation form, {@code 3 1 1 abcd...}. */
    @Override
    public String toString() {
        return usage + " " + selector + " " + matchingType + " " + data;
    }
}
