package io.github.mtasts.resolver.discovery;

import java.net.IDN;
import java.util.Locale;

/**
 * A policy domain as MTA-STS discovery uses it: lowercase A-labels, no trailing dot, a valid host name
 * (RFC 1123 §2.1, RFC 8461 §3: the policy host is {@code mta-sts.<domain>} and must carry a WebPKI name).
 *
 * @param domain the normalised name
 */
public record DomainKey(String domain) {

    /** RFC 1035 §2.3.4: 255 octets on the wire, which is 253 characters in text without the trailing dot. */
    static final int MAX_NAME_LENGTH = 253;
    static final int MAX_LABEL_LENGTH = 63;

    public DomainKey {
        if (domain == null || !domain.equals(normaliseOrNull(domain))) {
            throw new IllegalArgumentException("not a normalised policy domain: " + domain);
        }
    }

    /**
     * Normalises the key Postfix sends for {@code smtp_tls_policy_maps} (the next-hop domain).
     *
     * @throws InvalidDomainKeyException with the reason when the key cannot carry an MTA-STS policy
     */
    public static DomainKey parse(String key) throws InvalidDomainKeyException {
        return new DomainKey(normalise(key));
    }

    private static String normaliseOrNull(String key) {
        try {
            return normalise(key);
        } catch (InvalidDomainKeyException e) {
            return null;
        }
    }

    private static String normalise(String key) throws InvalidDomainKeyException {
        if (key == null || key.isEmpty()) {
            throw new InvalidDomainKeyException("", "is empty");
        }
        if (key.charAt(0) == '[') {
            // Postfix sends [host] or [host]:port for next-hops that bypass MX lookup: no policy domain.
            throw new InvalidDomainKeyException(key, "is a bracketed next-hop");
        }
        if (key.indexOf(':') >= 0) {
            throw new InvalidDomainKeyException(key, "is an IPv6 literal or has a port");
        }
        if (key.charAt(0) == '.') {
            throw new InvalidDomainKeyException(key, "starts with a dot");
        }
        String name = key.endsWith(".") ? key.substring(0, key.length() - 1) : key;
        if (!isAscii(name)) {
            try {
                // Flags 0: STD3 rules are checked below with our own precise messages.
                name = IDN.toASCII(name, 0);
            } catch (IllegalArgumentException e) {
                throw new InvalidDomainKeyException(key, "is not a valid internationalised name: " + e.getMessage());
            }
        }
        name = name.toLowerCase(Locale.ROOT);
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidDomainKeyException(key, "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        checkLabels(key, name);
        return name;
    }

    private static void checkLabels(String key, String name) throws InvalidDomainKeyException {
        int start = 0;
        String lastLabel = "";
        while (start <= name.length()) {
            int end = name.indexOf('.', start);
            if (end < 0) {
                end = name.length();
            }
            String label = name.substring(start, end);
            checkLabel(key, label);
            lastLabel = label;
            start = end + 1;
        }
        if (lastLabel.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // RFC 3696 §2: a top-level label is never all-numeric, so this is an IPv4 literal or a fragment of one.
            throw new InvalidDomainKeyException(key, "is an IP address or ends with an all-numeric label");
        }
    }

    private static void checkLabel(String key, String label) throws InvalidDomainKeyException {
        if (label.isEmpty()) {
            throw new InvalidDomainKeyException(key, "has an empty label");
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            throw new InvalidDomainKeyException(key, "has a label longer than " + MAX_LABEL_LENGTH + " characters");
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ldh) {
                throw new InvalidDomainKeyException(key, "has character '" + c + "' not allowed in a host name");
            }
        }
        if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
            throw new InvalidDomainKeyException(key, "has a label starting or ending with '-'");
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return domain;
    }
}
