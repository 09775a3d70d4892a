package io.github.mtasts.resolver.text;

/**
 * Makes a string from outside (a socketmap key, a TXT record, a policy, a report field, a mail header, a file name,
 * a Postfix log line) safe to put in a log line: every control character is written as an escape, so a newline
 * cannot forge a second log line and an ANSI escape cannot reach a terminal, and the text is capped so one field
 * cannot flood the log. C0 controls become {@code \n}, {@code \r}, {@code \t} or {@code \x1b}; DEL {@code \x7f};
 * C1 controls, Unicode line and paragraph separators and bidirectional controls (which reorder what a reader sees)
 * {@code \u2028} and the like. A backslash is doubled, so an escape in the log always means an escaped character.
 * Pure: used by both modules, on every log call that prints untrusted text.
 */
public final class LogSafe {

    /** The longest text kept: a domain name is at most 253, a report id or an organisation name far less. */
    public static final int MAX_LENGTH = 512;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogSafe() {
    }

    /** {@code text} escaped and capped at {@link #MAX_LENGTH} characters; {@code "null"} for null. */
    public static String escape(Object text) {
        return escape(text, MAX_LENGTH);
    }

    /**
     * {@code text} (its {@code toString()}) escaped, the first {@code maxLength} characters of it kept and the rest
     * replaced by a note of how many were left out.
     */
    public static String escape(Object text, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        if (text == null) {
            return "null";
        }
        String s = text.toString();
        int kept = Math.min(s.length(), maxLength);
        // a surrogate pair is not split at the cap
        if (kept < s.length() && kept > 0 && Character.isHighSurrogate(s.charAt(kept - 1))) {
            kept--;
        }
        StringBuilder out = null;
        for (int i = 0; i < kept; i++) {
            char c = s.charAt(i);
            if (c == '\\' || needsEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(kept + 16).append(s, 0, i);
                }
                append(out, c);
            } else if (out != null) {
                out.append(c);
            }
        }
        if (out == null && kept == s.length()) {
            return s;
        }
        if (out == null) {
            out = new StringBuilder(kept + 32).append(s, 0, kept);
        }
        if (kept < s.length()) {
            out.append("...(").append(s.length() - kept).append(" more chars)");
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)   // C0, DEL, C1 (U+0085 NEL among them)
                || c == '\u2028' || c == '\u2029'      // line and paragraph separators
                || c == '\u061c' || c == '\u200e' || c == '\u200f'   // bidi marks
                || (c >= '\u202a' && c <= '\u202e')    // bidi embeddings and overrides
                || (c >= '\u2066' && c <= '\u2069')    // bidi isolates
                || c == '\ufeff';                      // zero-width no-break space (BOM)
    }

    private static void append(StringBuilder out, char c) {
        switch (c) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
                if (c < 0x80) {
                    out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                } else {
                    out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                            .append(HEX[c & 0xf]);
                }
            }
        }
    }
}
