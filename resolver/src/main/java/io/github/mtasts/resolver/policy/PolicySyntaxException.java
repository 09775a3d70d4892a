package io.github.mtasts.resolver.policy;

/**
 * A policy file breaks RFC 8461 §3.2. Carries the 1-based line number (0 when the error is about the
 * policy as a whole, such as a missing field) and the rule broken, so a domain owner can fix the file
 * and a TLSRPT report can say why the policy was rejected ({@code sts-policy-invalid}).
 */
public final class PolicySyntaxException extends Exception {

    /** Longest excerpt of the offending line quoted in the message. */
    private static final int MAX_QUOTED = 80;

    private final int line;
    private final String rule;

    public PolicySyntaxException(int line, String lineText, String rule) {
        super(line > 0 ? "line " + line + ": \"" + quote(lineText) + "\": " + rule : rule);
        this.line = line;
        this.rule = rule;
    }

    /** Whole-policy error, not tied to one line. */
    public PolicySyntaxException(String rule) {
        this(0, "", rule);
    }

    /** 1-based line number, 0 when the error concerns the policy as a whole. */
    public int line() {
        return line;
    }

    /** The rule broken, without the line prefix. */
    public String rule() {
        return rule;
    }

    /** Makes control characters visible and keeps hostile input from flooding logs. */
    private static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8);
        for (int i = 0; i < text.length(); i++) {
            if (out.length() >= MAX_QUOTED) {
                out.append("...");
                break;
            }
            char c = text.charAt(i);
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
