package io.github.mtasts.resolver.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A valid MTA-STS policy (RFC 8461 §3.2).
 *
 * @param mode   the policy mode
 * @param maxAge seconds the policy may be cached, 0..31557600
 * @param mx     mx patterns in policy order (empty only for mode none)
 * @param lines  the policy's lines as published, without line breaks (TLSRPT policy-string)
 */
public record StsPolicy(PolicyMode mode, long maxAge, List<MxPattern> mx, List<String> lines) {

    /** RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year). */
    public static final long MAX_AGE_LIMIT = 31_557_600L;

    /**
     * The largest policy body, in bytes, that the fetcher accepts and {@code mtasts lint policy} passes: RFC 8461
     * §3.3 leaves the limit to the sender; 64 KiB is far above any real policy.
     */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final String SECTION = " (RFC 8461 §3.2)";
    private static final int MAX_AGE_DIGITS = 10;

    public StsPolicy {
        Objects.requireNonNull(mode, "mode");
        if (maxAge < 0 || maxAge > MAX_AGE_LIMIT) {
            throw new IllegalArgumentException("maxAge must be 0.." + MAX_AGE_LIMIT + ": " + maxAge);
        }
        mx = List.copyOf(mx);
        lines = List.copyOf(lines);
        if (mx.isEmpty() && mode != PolicyMode.NONE) {
            throw new IllegalArgumentException("a policy in mode " + mode.wireName() + " needs at least one mx");
        }
    }

    /** A policy with the canonical lines {@link #render()} writes for these fields. */
    public static StsPolicy of(PolicyMode mode, long maxAge, List<MxPattern> mx) {
        List<String> lines = new ArrayList<>(3 + mx.size());
        lines.add("version: STSv1");
        lines.add("mode: " + mode.wireName());
        lines.add("max_age: " + maxAge);
        for (MxPattern pattern : mx) {
            lines.add("mx: " + pattern.pattern());
        }
        return new StsPolicy(mode, maxAge, mx, lines);
    }

    /**
     * Parses a policy body exactly per RFC 8461 §3.2: LF or CRLF line breaks, the last one optional;
     * no empty lines; {@code name: value} with no whitespace at the line start or before the colon,
     * any whitespace after it, trailing whitespace ignored; names and values case-sensitive.
     * {@code version: STSv1}, {@code mode} and {@code max_age} are required and only their first
     * occurrence counts; {@code mx} may repeat and is required unless the mode is {@code none};
     * unknown fields are ignored but must still be well-formed extension fields.
     *
     * <p>A missing version line, or a version other than {@code STSv1}, makes the policy invalid: §3.2
     * makes the version field required and this parser only knows version 1.
     */
    public static StsPolicy parse(String text) throws PolicySyntaxException {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new PolicySyntaxException("policy is empty" + SECTION);
        }
        List<String> lines = new ArrayList<>();
        List<MxPattern> mx = new ArrayList<>();
        boolean versionSeen = false;
        PolicyMode mode = null;
        long maxAge = -1;
        int pos = 0;
        int lineNumber = 0;
        while (pos < text.length()) {
            lineNumber++;
            int lf = text.indexOf('\n', pos);
            int end = lf < 0 ? text.length() : lf;
            String line = text.substring(pos, end > pos && lf >= 0 && text.charAt(end - 1) == '\r' ? end - 1 : end);
            pos = lf < 0 ? text.length() : lf + 1;
            lines.add(line);

            Field field = field(lineNumber, line);
            switch (field.name) {
                case "version" -> {
                    if (!versionSeen) {
                        if (!field.value.equals("STSv1")) {
                            throw new PolicySyntaxException(lineNumber, line, "version must be STSv1" + SECTION);
                        }
                        versionSeen = true;
                    }
                }
                case "mode" -> {
                    if (mode == null) {
                        mode = mode(lineNumber, line, field.value);
                    }
                }
                case "max_age" -> {
                    if (maxAge < 0) {
                        maxAge = maxAge(lineNumber, line, field.value);
                    }
                }
                case "mx" -> {
                    try {
                        mx.add(MxPattern.parse(field.value));
                    } catch (IllegalArgumentException e) {
                        throw new PolicySyntaxException(lineNumber, line,
                                "mx must be a host name or \"*.\" and a domain: " + e.getMessage() + SECTION);
                    }
                }
                default -> {
                    // RFC 8461 §3.2: fields not defined there are ignored.
                }
            }
        }
        if (!versionSeen) {
            throw new PolicySyntaxException("the version field is required (version: STSv1); field names are case-sensitive" + SECTION);
        }
        if (mode == null) {
            throw new PolicySyntaxException("the mode field is required (enforce, testing or none); field names are case-sensitive" + SECTION);
        }
        if (maxAge < 0) {
            throw new PolicySyntaxException("the max_age field is required; field names are case-sensitive" + SECTION);
        }
        if (mx.isEmpty() && mode != PolicyMode.NONE) {
            throw new PolicySyntaxException("at least one mx field is required unless mode is none" + SECTION);
        }
        return new StsPolicy(mode, maxAge, mx, lines);
    }

    /**
     * The policy text: its lines joined and ended by CRLF, so {@code parse(render())} equals this
     * policy. A policy built without lines is written in the canonical form of {@link #of}.
     */
    public String render() {
        List<String> out = lines.isEmpty() ? of(mode, maxAge, mx).lines() : lines;
        StringBuilder text = new StringBuilder();
        for (String line : out) {
            text.append(line).append("\r\n");
        }
        return text.toString();
    }

    private record Field(String name, String value) {
    }

    /** Splits and checks one line against {@code sts-policy-extension}, which every field line satisfies. */
    private static Field field(int lineNumber, String line) throws PolicySyntaxException {
        if (line.isEmpty()) {
            throw new PolicySyntaxException(lineNumber, line, "empty lines are not allowed" + SECTION);
        }
        if (TxtTagGrammar.isWsp(line.charAt(0))) {
            throw new PolicySyntaxException(lineNumber, line, "whitespace at the start of a line" + SECTION);
        }
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new PolicySyntaxException(lineNumber, line, "expected \"name: value\", no ':' found" + SECTION);
        }
        String name = line.substring(0, colon);
        if (!name.isEmpty() && TxtTagGrammar.isWsp(name.charAt(name.length() - 1))) {
            throw new PolicySyntaxException(lineNumber, line, "whitespace before ':'" + SECTION);
        }
        if (!TxtTagGrammar.isValidFieldName(name)) {
            throw new PolicySyntaxException(lineNumber, line, "invalid field name \"" + name
                    + "\" (a letter or digit, then up to 31 letters, digits, '_', '-', '.')" + SECTION);
        }
        int start = colon + 1;
        int end = line.length();
        while (start < end && TxtTagGrammar.isWsp(line.charAt(start))) {
            start++;
        }
        while (end > start && TxtTagGrammar.isWsp(line.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            throw new PolicySyntaxException(lineNumber, line, "field " + name + " has an empty value" + SECTION);
        }
        for (int i = start; i < end; i++) {
            char c = line.charAt(i);
            // sts-policy-ext-value: visible ASCII or UTF-8 characters, single spaces inside
            boolean ok = (c > 0x20 && c < 0x7f) || c == ' ' || (c >= 0x80 && !Character.isSurrogate(c))
                    || (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(line.charAt(i + 1)));
            if (!ok) {
                throw new PolicySyntaxException(lineNumber, line, String.format(
                        "invalid character U+%04X in the value of %s (control characters are not allowed)",
                        (int) c, name) + SECTION);
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return new Field(name, line.substring(start, end));
    }

    private static PolicyMode mode(int lineNumber, String line, String value) throws PolicySyntaxException {
        for (PolicyMode mode : PolicyMode.values()) {
            if (mode.wireName().equals(value)) {
                return mode;
            }
        }
        throw new PolicySyntaxException(lineNumber, line, "mode must be one of enforce, testing, none" + SECTION);
    }

    private static long maxAge(int lineNumber, String line, String value) throws PolicySyntaxException {
        if (value.length() > MAX_AGE_DIGITS) {
            throw new PolicySyntaxException(lineNumber, line, "max_age must be 1 to 10 digits" + SECTION);
        }
        long seconds = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new PolicySyntaxException(lineNumber, line,
                        "max_age must be 1 to 10 digits, without sign, separators or spaces" + SECTION);
            }
            seconds = seconds * 10 + (c - '0');
        }
        if (seconds > MAX_AGE_LIMIT) {
            throw new PolicySyntaxException(lineNumber, line,
                    "max_age must be at most " + MAX_AGE_LIMIT + " seconds" + SECTION);
        }
        return seconds;
    }
}
