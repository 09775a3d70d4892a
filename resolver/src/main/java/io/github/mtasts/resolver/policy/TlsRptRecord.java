package io.github.mtasts.resolver.policy;

import io.github.mtasts.resolver.policy.TlsRptRecordException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A valid {@code _smtp._tls} TXT record (RFC 8460 §3): where a policy domain wants its reports.
 *
 * <p>Grammar, case-sensitive where quoted with %s:
 * <pre>
 * tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
 * field-delim      = *WSP ";" *WSP
 * tlsrpt-field     = tlsrpt-rua / tlsrpt-extension
 * tlsrpt-version   = %s"v=TLSRPTv1"
 * tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 * tlsrpt-uri       = URI   ; RFC 3986; "," and "!" must be percent-encoded
 * tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
 * tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 * tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 * </pre>
 * The rua field is required; extensions are checked for syntax and otherwise ignored. A ";" always ends a
 * field, so a URI must percent-encode its own semicolons. A second rua field is rejected rather than guessed at.
 * Only {@code mailto:} and {@code https:} URIs are defined; any other scheme makes the record invalid.
 *
 * @param rua the destinations, in record order (at least one)
 */
public record TlsRptRecord(List<ReportUri> rua) {

    static final String VERSION = "v=TLSRPTv1";
    private static final String RUA = "rua=";
    private static final int MAX_EXT_NAME = 32;

    public TlsRptRecord {
        rua = List.copyOf(rua);
        if (rua.isEmpty()) {
            throw new IllegalArgumentException("a TLSRPT record needs at least one rua URI");
        }
    }

    /**
     * Picks the record from all TXT records at {@code _smtp._tls.<policy-domain>}, each the concatenation of its
     * character-strings. Records not beginning with {@code v=TLSRPTv1} are discarded; exactly one must remain and
     * be valid. As for MTA-STS (RFC 8461 erratum 6285), the version counts when followed by ";", whitespace or
     * nothing, so {@code v=TLSRPTv10} is discarded while a bare {@code v=TLSRPTv1} is reported as invalid.
     */
    public static TlsRptRecord select(List<String> records) throws TlsRptRecordException {
        String candidate = null;
        int candidates = 0;
        for (String record : records) {
            if (isCandidate(Objects.requireNonNull(record, "record"))) {
                candidate = record;
                candidates++;
            }
        }
        if (candidates == 0) {
            throw new TlsRptRecordException(Kind.NO_RECORD, "no TXT record begins with v=TLSRPTv1 ("
                    + records.size() + " TXT records at the name)");
        }
        if (candidates > 1) {
            throw new TlsRptRecordException(Kind.MULTIPLE_RECORDS, candidates
                    + " TXT records begin with v=TLSRPTv1; exactly one is allowed (RFC 8460 §3)");
        }
        return parse(candidate);
    }

    private static boolean isCandidate(String record) {
        if (!record.startsWith(VERSION)) {
            return false;
        }
        return record.length() == VERSION.length() || record.charAt(VERSION.length()) == ';'
                || isWsp(record.charAt(VERSION.length()));
    }

    /** Parses one record exactly per the §3 grammar above. */
    public static TlsRptRecord parse(String record) throws TlsRptRecordException {
        Objects.requireNonNull(record, "record");
        if (!record.startsWith(VERSION)) {
            throw invalid(record, "must begin with \"v=TLSRPTv1\" (case-sensitive)");
        }
        int pos = VERSION.length();
        List<ReportUri> rua = null;
        String caseMismatchedRua = null;
        while (pos < record.length()) {
            int delimStart = pos;
            pos = skipWsp(record, pos);
            if (pos == record.length() || record.charAt(pos) != ';') {
                throw invalid(record, delimStart == VERSION.length() && !isWsp(record.charAt(delimStart))
                        ? "\"v=TLSRPTv1\" must be followed by \";\" (version is exactly TLSRPTv1)"
                        : "expected \";\" at position " + (pos + 1)
                                + "; whitespace is allowed only around \";\" and around commas in rua");
            }
            pos = skipWsp(record, pos + 1);
            if (pos == record.length()) {
                break; // optional trailing delimiter
            }
            int fieldEnd = record.indexOf(';', pos);
            if (fieldEnd < 0) {
                fieldEnd = record.length();
            }
            while (fieldEnd > pos && isWsp(record.charAt(fieldEnd - 1))) {
                fieldEnd--; // whitespace before ";" belongs to the delimiter
            }
            String field = record.substring(pos, fieldEnd);
            if (field.startsWith(RUA)) {
                if (rua != null) {
                    throw invalid(record, "more than one rua field");
                }
                rua = parseRua(record, field.substring(RUA.length()));
            } else {
                checkExtension(record, field);
                if (field.regionMatches(true, 0, RUA, 0, RUA.length())) {
                    caseMismatchedRua = field.substring(0, RUA.length() - 1);
                }
            }
            pos = fieldEnd;
        }
        if (rua == null) {
            throw invalid(record, "the rua field is required (e.g. \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\")"
                    + (caseMismatchedRua == null ? ""
                            : "; \"" + caseMismatchedRua + "=\" is not \"rua=\" (field names are case-sensitive)"));
        }
        return new TlsRptRecord(rua);
    }

    private static List<ReportUri> parseRua(String record, String value) throws TlsRptRecordException {
        List<ReportUri> uris = new ArrayList<>();
        String[] parts = value.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String uri = trimWsp(parts[i]);
            if (uri.isEmpty()) {
                throw invalid(record, "rua URI " + (i + 1) + " of " + parts.length + " is empty");
            }
            for (int c = 0; c < uri.length(); c++) {
                if (isWsp(uri.charAt(c))) {
                    throw invalid(record, "whitespace inside rua URI \"" + uri
                            + "\"; whitespace is allowed only around the commas between URIs");
                }
            }
            try {
                uris.add(ReportUri.parse(uri));
            } catch (IllegalArgumentException e) {
                throw invalid(record, "rua " + e.getMessage());
            }
        }
        return uris;
    }

    private static void checkExtension(String record, String field) throws TlsRptRecordException {
        if (field.isEmpty()) {
            throw invalid(record, "empty field between \";\" delimiters");
        }
        int eq = field.indexOf('=');
        if (eq < 0) {
            throw invalid(record, "field \"" + field + "\" has no \"=\"");
        }
        String name = field.substring(0, eq);
        if (!isValidExtensionName(name)) {
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

    private static boolean isValidExtensionName(String name) {
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

    private static boolean isAlphaDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isWsp(char c) {
        return c == ' ' || c == '\t';
    }

    private static int skipWsp(String s, int pos) {
        while (pos < s.length() && isWsp(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    private static String trimWsp(String s) {
        int start = skipWsp(s, 0);
        int end = s.length();
        while (end > start && isWsp(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static TlsRptRecordException invalid(String record, String rule) {
        return new TlsRptRecordException(Kind.INVALID, rule + " (RFC 8460 §3)");
    }
}
