package io.github.mtasts.resolver.policy;

import io.github.mtasts.resolver.policy.TxtRecordException.Kind;
import java.util.List;
import java.util.Objects;

/**
 * A valid {@code _mta-sts} TXT record (RFC 8461 §3.1).
 *
 * <p>Grammar, case-sensitive:
 * <pre>
 * sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
 * sts-field-delim = *WSP ";" *WSP
 * sts-version     = "v=STSv1"
 * sts-id          = "id=" 1*32(ALPHA / DIGIT)
 * sts-extension   = sts-ext-name "=" sts-ext-value
 * sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 * sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 * </pre>
 * The id is required. A field named {@code id} is always read as the id (so {@code id=ab-c} is an
 * invalid id, not an extension), and a second id is rejected: the id exists to signal policy changes,
 * and two of them leave it unclear which to track.
 *
 * @param id the policy id, 1–32 ASCII letters or digits
 */
public record StsTxtRecord(String id) {

    static final String VERSION = "v=STSv1";
    private static final int MAX_ID = 32;
    private static final int MAX_EXT_NAME = 32;

    public StsTxtRecord {
        Objects.requireNonNull(id, "id");
        if (!isValidId(id)) {
            throw new IllegalArgumentException("id must be 1-32 letters or digits: \"" + id + "\"");
        }
    }

    /**
     * Picks the record from all TXT records at {@code _mta-sts.<domain>}, each already the
     * concatenation of its character-strings. Records not beginning with {@code v=STSv1} are discarded;
     * exactly one must remain and be valid.
     *
     * <p>RFC 8461 §3.1 words the prefix test as "v=STSv1;", but its own grammar allows whitespace before
     * the ";" (erratum 6285). A record counts as a candidate when {@code v=STSv1} is followed by ";",
     * whitespace or nothing, so {@code v=STSv1 ; id=1} is accepted while {@code v=STSv10; id=1} is
     * discarded, and a bare {@code v=STSv1} is reported as invalid rather than silently absent.
     */
    public static StsTxtRecord select(List<String> records) throws TxtRecordException {
        String candidate = null;
        int candidates = 0;
        for (String record : records) {
            if (isCandidate(Objects.requireNonNull(record, "record"))) {
                candidate = record;
                candidates++;
            }
        }
        if (candidates == 0) {
            throw new TxtRecordException(Kind.NO_RECORD,
                    "no TXT record begins with v=STSv1 (" + records.size() + " TXT records at the name)");
        }
        if (candidates > 1) {
            throw new TxtRecordException(Kind.MULTIPLE_RECORDS,
                    candidates + " TXT records begin with v=STSv1; exactly one is allowed (RFC 8461 §3.1)");
        }
        return parse(candidate);
    }

    private static boolean isCandidate(String record) {
        if (!record.startsWith(VERSION)) {
            return false;
        }
        if (record.length() == VERSION.length()) {
            return true;
        }
        char next = record.charAt(VERSION.length());
        return next == ';' || isWsp(next);
    }

    /** Parses one record exactly per the §3.1 grammar above. */
    public static StsTxtRecord parse(String record) throws TxtRecordException {
        Objects.requireNonNull(record, "record");
        if (!record.startsWith(VERSION)) {
            throw invalid(record, "must begin with \"v=STSv1\" (case-sensitive)");
        }
        int pos = VERSION.length();
        String id = null;
        while (pos < record.length()) {
            int delimStart = pos;
            pos = skipWsp(record, pos);
            if (pos == record.length() || record.charAt(pos) != ';') {
                throw invalid(record, delimStart == VERSION.length() && !isWsp(record.charAt(delimStart))
                        ? "\"v=STSv1\" must be followed by \";\" (version is exactly STSv1)"
                        : "expected \";\" at position " + (pos + 1) + "; whitespace is allowed only around \";\"");
            }
            pos = skipWsp(record, pos + 1);
            if (pos == record.length()) {
                break; // optional trailing delimiter
            }
            int fieldEnd = pos;
            while (fieldEnd < record.length() && record.charAt(fieldEnd) != ';' && !isWsp(record.charAt(fieldEnd))) {
                fieldEnd++;
            }
            String field = record.substring(pos, fieldEnd);
            if (isIdField(field)) {
                if (id != null) {
                    throw invalid(record, "more than one id field");
                }
                id = field.length() > 3 ? field.substring(3) : "";
                if (!isValidId(id)) {
                    throw invalid(record, "id must be 1-" + MAX_ID + " letters or digits, got \"" + id + "\"");
                }
            } else {
                checkExtension(record, field);
            }
            pos = fieldEnd;
        }
        if (id == null) {
            throw invalid(record, "the id field is required (e.g. \"v=STSv1; id=20240101T000000\")");
        }
        return new StsTxtRecord(id);
    }

    private static boolean isIdField(String field) {
        return field.startsWith("id=") || field.equals("id");
    }

    private static void checkExtension(String record, String field) throws TxtRecordException {
        if (field.isEmpty()) {
            throw invalid(record, "empty field between \";\" delimiters");
        }
        int eq = field.indexOf('=');
        if (eq < 0) {
            throw invalid(record, "field \"" + field + "\" has no \"=\"; whitespace is allowed only around \";\"");
        }
        String name = field.substring(0, eq);
        if (!isValidFieldName(name)) {
            throw invalid(record, "invalid field name \"" + name
                    + "\" (a letter or digit, then up to 31 letters, digits, '_', '-', '.')");
        }
        if (eq == field.length() - 1) {
            throw invalid(record, "field \"" + name + "\" has an empty value");
        }
        for (int i = eq + 1; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '=') {
                throw invalid(record, "invalid character in value of field \"" + name
                        + "\" (printable ASCII except '=', ';' and space)");
            }
        }
    }

    /** RFC 8461 {@code sts-ext-name}; the same rule names policy fields in §3.2. */
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

    private static boolean isValidId(String id) {
        if (id.isEmpty() || id.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            if (!isAlphaDigit(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphaDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static boolean isWsp(char c) {
        return c == ' ' || c == '\t';
    }

    private static int skipWsp(String s, int pos) {
        while (pos < s.length() && isWsp(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    private static TxtRecordException invalid(String record, String rule) {
        return new TxtRecordException(Kind.INVALID, rule + " (RFC 8461 §3.1)");
    }
}
