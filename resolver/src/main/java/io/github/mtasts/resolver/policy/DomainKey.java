package io.github.mtasts.resolver.policy;

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

    /**
     * Whether Postfix reaches the next hop {@code key} without an MX lookup: {@code [host]} and {@code [host]:port}
     * (a smart host) connect to {@code host} itself, while {@code host} and {@code host:port} look up its MX hosts.
     * Meaningful only for a key {@link #parse(String)} accepts.
     */
    public static boolean skipsMxLookup(String key) {
        return !key.isEmpty() && key.charAt(0) == '[';
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
        return normaliseHost(key, nextHopHost(key));
    }

    /**
     * The host of a Postfix next hop: {@code [host]} and {@code [host]:port} (a relay reached without MX lookup) and
     * {@code host:port} (a transport's next hop) name the policy domain {@code host}, as RFC 8461 §3.4 asks of mail
     * sent through a smart host. An IPv6 literal has none; an IPv4 literal is refused with the host-name checks.
     */
    private static String nextHopHost(String key) throws InvalidDomainKeyException {
        String host = key;
        String port = null;
        if (key.charAt(0) == '[') {
            int close = key.indexOf(']');
            if (close < 0) {
                throw new InvalidDomainKeyException(key, "has '[' without ']'");
            }
            host = key.substring(1, close);
            String rest = key.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new InvalidDomainKeyException(key, "has text after ']' that is not a :port");
                }
                port = rest.substring(1);
            }
            if (host.indexOf(':') >= 0) {
                throw new InvalidDomainKeyException(key, "is an IPv6 literal");
            }
        } else {
            int colon = key.indexOf(':');
            if (colon >= 0) {
                if (key.indexOf(':', colon + 1) >= 0) {
                    throw new InvalidDomainKeyException(key, "is an IPv6 literal");
                }
                host = key.substring(0, colon);
                port = key.substring(colon + 1);
            }
        }
        if (port != null && !isPort(port)) {
            throw new InvalidDomainKeyException(key, "has a port that is not a number from 1 to 65535");
        }
        if (host.isEmpty()) {
            throw new InvalidDomainKeyException(key, "has an empty host");
        }
        return host;
    }

    private static boolean isPort(String port) {
        if (port.isEmpty() || port.length() > 5) {
            return false;
        }
        for (int i = 0; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return false;
            }
        }
        int value = Integer.parseInt(port);
        return value >= 1 && value <= 65535;
    }

    private static String normaliseHost(String key, String host) throws InvalidDomainKeyException {
        if (host.charAt(0) == '.') {
            throw new InvalidDomainKeyException(key, "starts with a dot");
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
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

    /** Index-based, without a substring per label: this runs for every socketmap request. */
    private static void checkLabels(String key, String name) throws InvalidDomainKeyException {
        int start = 0;
        boolean lastLabelNumeric;
        do {
            int end = name.indexOf('.', start);
            if (end < 0) {
                end = name.length();
            }
            lastLabelNumeric = checkLabel(key, name, start, end);
            start = end + 1;
        } while (start <= name.length());
        if (lastLabelNumeric) {
            // RFC 3696 §2: a top-level label is never all-numeric, so this is an IPv4 literal or a fragment of one.
            throw new InvalidDomainKeyException(key, "is an IP address or ends with an all-numeric label");
        }
    }

    /** Checks the label {@code name[start, end)}; true when it is all digits. */
    private static boolean checkLabel(String key, String name, int start, int end) throws InvalidDomainKeyException {
        if (start == end) {
            throw new InvalidDomainKeyException(key, "has an empty label");
        }
        if (end - start > MAX_LABEL_LENGTH) {
            throw new InvalidDomainKeyException(key, "has a label longer than " + MAX_LABEL_LENGTH + " characters");
        }
        boolean numeric = true;
        for (int i = start; i < end; i++) {
            char c = name.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            if (!digit && !(c >= 'a' && c <= 'z') && c != '-') {
                throw new InvalidDomainKeyException(key, "has character '" + c + "' not allowed in a host name");
            }
            numeric &= digit;
        }
        if (name.charAt(start) == '-' || name.charAt(end - 1) == '-') {
            throw new InvalidDomainKeyException(key, "has a label starting or ending with '-'");
        }
        return numeric;
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
