package io.github.mtasts.resolver.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The tag-list grammar both TXT records share, {@code _mta-sts} (RFC 8461 §3.1) and {@code _smtp._tls}
 * (RFC 8460 §3):
 * <pre>
 * record      = version 1*(field-delim field) [field-delim]
 * field-delim = *WSP ";" *WSP
 * extension   = ext-name "=" ext-value
 * ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 * ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 * </pre>
 * Each record keeps its own fields ({@code id}, {@code rua}) and its own exception; {@code invalid} turns a broken
 * rule into that exception.
 */
final class TxtTagGrammar {
    private static final int MAX_EXT_NAME = 32;

    private TxtTagGrammar() {
    }

    /**
     * The records that claim {@code version}: it must be followed by ";", whitespace or nothing (RFC 8461 erratum
     * 6285), so {@code v=STSv10} is no candidate while a bare {@code v=STSv1} is one, to be reported invalid.
     */
    static List<String> candidates(List<String> records, String version) {
        List<String> candidates = new ArrayList<>(1);
        for (String record : records) {
            if (isCandidate(record, version)) {
                candidates.add(record);
            }
        }
        return candidates;
    }

    private static boolean isCandidate(String record, String version) {
        if (!record.startsWith(version)) {
            return false;
        }
        return record.length() == version.length() || record.charAt(version.length()) == ';'
                || isWsp(record.charAt(version.length()));
    }

    /** Receives each field in record order; throwing stops the parse there. */
    @FunctionalInterface
    interface FieldHandler<E extends Exception> {
        void field(String field) throws E;
    }

    /**
     * Hands each field after {@code version} to {@code handler}, in order, split at the delimiters. With
     * {@code fieldsHoldWsp} a field runs to the next ";" (less the whitespace before it, which belongs to the
     * delimiter); without, whitespace also ends it and must then be followed by ";". {@code wspRule} says where
     * whitespace is allowed, for the error message.
     */
    static <E extends Exception> void fields(String record, String version, boolean fieldsHoldWsp, String wspRule,
                                             Function<String, E> invalid, FieldHandler<E> handler) throws E {
        if (!record.startsWith(version)) {
            throw invalid.apply("must begin with \"" + version + "\" (case-sensitive)");
        }
        int pos = version.length();
        while (pos < record.length()) {
            int delimStart = pos;
            pos = skipWsp(record, pos);
            if (pos == record.length() || record.charAt(pos) != ';') {
                throw invalid.apply(delimStart == version.length() && !isWsp(record.charAt(delimStart))
                        ? "\"" + version + "\" must be followed by \";\" (version is exactly "
                                + version.substring(2) + ")"
                        : "expected \";\" at position " + (pos + 1) + "; " + wspRule);
            }
            pos = skipWsp(record, pos + 1);
            if (pos == record.length()) {
                break; // optional trailing delimiter
            }
            int fieldEnd;
            if (fieldsHoldWsp) {
                fieldEnd = record.indexOf(';', pos);
                if (fieldEnd < 0) {
                    fieldEnd = record.length();
                }
                while (fieldEnd > pos && isWsp(record.charAt(fieldEnd - 1))) {
                    fieldEnd--;
                }
            } else {
                fieldEnd = pos;
                while (fieldEnd < record.length() && record.charAt(fieldEnd) != ';'
                        && !isWsp(record.charAt(fieldEnd))) {
                    fieldEnd++;
                }
            }
            handler.field(record.substring(pos, fieldEnd));
            pos = fieldEnd;
        }
    }

    /** Checks an extension field's syntax; {@code noEqualsHint} is added to the message of a field without "=". */
    static <E extends Exception> void checkExtension(String field, String noEqualsHint, Function<String, E> invalid)
            throws E {
        if (field.isEmpty()) {
            throw invalid.apply("empty field between \";\" delimiters");
        }
        int eq = field.indexOf('=');
        if (eq < 0) {
            throw invalid.apply("field \"" + field + "\" has no \"=\"" + noEqualsHint);
        }
        String name = field.substring(0, eq);
        if (!isValidFieldName(name)) {
            throw invalid.apply("invalid field name \"" + name
                    + "\" (a letter or digit, then up to 31 letters, digits, '_', '-', '.')");
        }
        if (eq == field.length() - 1) {
            throw invalid.apply("field \"" + name + "\" has an empty value");
        }
        for (int i = eq + 1; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '=') {
                throw invalid.apply("invalid character in value of field \"" + name
                        + "\" (printable ASCII except '=', ';' and space)");
            }
        }
    }

    /** {@code ext-name}; RFC 8461 §3.2 names policy fields by the same rule. */
    static boolean isValidFieldName(String name) {
        if (name.isEmpty() || name.length() > MAX_EXT_NAME || !isAlphaDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlphaDigit(c) && c != '_' && c != '-' && c != '.') {
                return false;
            }
        }
        return true;
    }

    static boolean isAlphaDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static boolean isWsp(char c) {
        return c == ' ' || c == '\t';
    }

    static String trimWsp(String s) {
        int start = skipWsp(s, 0);
        int end = s.length();
        while (end > start && isWsp(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static int skipWsp(String s, int pos) {
        while (pos < s.length() && isWsp(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }
}
