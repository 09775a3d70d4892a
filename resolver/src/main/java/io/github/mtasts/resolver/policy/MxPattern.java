package io.github.mtasts.resolver.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * One {@code mx} value of a policy (RFC 8461 §3.2, §4.1), lowercase, without trailing dot.
 *
 * <p>Valid patterns are {@code ["*."] Domain} with RFC 5321 {@code Domain}: LDH labels of 1–63
 * characters that neither start nor end with a hyphen, at most 253 characters in all. A wildcard
 * stands for exactly one whole left-most label. Names whose last label is all digits are rejected:
 * no top-level domain is numeric (RFC 3696 §2), so such a value is an IPv4 address, which MTA-STS
 * cannot authenticate. Address literals ({@code [192.0.2.1]}) fail the character rule.
 *
 * @param pattern the canonical pattern
 */
public record MxPattern(String pattern) {

    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    public MxPattern {
        String problem = problem(Objects.requireNonNull(pattern, "pattern"));
        if (problem != null) {
            throw new IllegalArgumentException("mx pattern \"" + pattern + "\": " + problem);
        }
        if (!pattern.equals(pattern.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("mx pattern \"" + pattern + "\" must be lowercase; use MxPattern.parse");
        }
    }

    /**
     * Parses a policy's {@code mx} value, case-insensitively.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static MxPattern parse(String value) {
        Objects.requireNonNull(value, "value");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new MxPattern(value.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code pattern} is a wildcard ({@code *.example.com}). */
    public boolean isWildcard() {
        return pattern.startsWith("*.");
    }

    /**
     * RFC 8461 §4.1: does the MX host name match? Case-insensitive, a trailing dot on the host is
     * ignored, and {@code *.example.com} matches exactly one extra label: {@code mx.example.com} but
     * neither {@code example.com} nor {@code a.b.example.com}.
     */
    public boolean matches(String mxHost) {
        Objects.requireNonNull(mxHost, "mxHost");
        int hostLength = mxHost.endsWith(".") ? mxHost.length() - 1 : mxHost.length();
        if (!isWildcard()) {
            return hostLength == pattern.length() && mxHost.regionMatches(true, 0, pattern, 0, hostLength);
        }
        int suffixLength = pattern.length() - 1; // ".example.com"
        int labelLength = hostLength - suffixLength;
        if (labelLength < 1 || !mxHost.regionMatches(true, labelLength, pattern, 1, suffixLength)) {
            return false;
        }
        for (int i = 0; i < labelLength; i++) {
            if (mxHost.charAt(i) == '.') {
                return false;
            }
        }
        return true;
    }

    /**
     * The Postfix {@code match=} form: {@code *.example.com} becomes {@code .example.com}. Postfix lets
     * {@code .example.com} match subdomains at any depth, slightly wider than §4.1's single label; the
     * certificate must still name the host, so this cannot admit an unauthenticated server.
     */
    public String postfixMatch() {
        return isWildcard() ? pattern.substring(1) : pattern;
    }

    @Override
    public String toString() {
        return pattern;
    }

    /** The rule {@code value} breaks, or null when it is a valid pattern in any letter case. */
    private static String problem(String value) {
        if (value.isEmpty()) {
            return "mx pattern is empty";
        }
        if (value.length() > MAX_NAME) {
            return "mx pattern is longer than " + MAX_NAME + " characters";
        }
        int start = 0;
        if (value.startsWith("*.")) {
            start = 2;
        } else if (value.indexOf('*') >= 0) {
            return "a wildcard is allowed only as the whole left-most label \"*.\"";
        }
        if (start == value.length()) {
            return "a wildcard must be followed by a domain name";
        }
        int labelStart = start;
        for (int i = start; i <= value.length(); i++) {
            char c = i < value.length() ? value.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length == 0) {
                    return i == value.length() ? "trailing dot is not allowed in an mx pattern" : "empty label";
                }
                if (length > MAX_LABEL) {
                    return "label longer than " + MAX_LABEL + " characters";
                }
                if (value.charAt(labelStart) == '-' || value.charAt(i - 1) == '-') {
                    return "a label must not start or end with '-'";
                }
                labelStart = i + 1;
            } else if (c == '*') {
                return "a wildcard is allowed only as the whole left-most label \"*.\"";
            } else if (!isLetterDigitHyphen(c)) {
                return "invalid character '" + printable(c) + "' in host name (letters, digits, '-' and '.' only)";
            }
        }
        if (isAllDigits(value, value.lastIndexOf('.') + 1)) {
            return "an IP address is not a valid mx pattern (the last label is numeric)";
        }
        return null;
    }

    private static boolean isAllDigits(String value, int from) {
        for (int i = from; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterDigitHyphen(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    private static String printable(char c) {
        return c < 0x20 || c >= 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
