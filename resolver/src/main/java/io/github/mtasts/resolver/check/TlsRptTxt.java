package io.github.mtasts.resolver.check;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A valid {@code _smtp._tls} TXT record (RFC 8460 §3), parsed strictly and only as far as the check needs:
 * <pre>
 * tlsrpt-record    = "v=TLSRPTv1" 1*(field-delim tlsrpt-field) [field-delim]
 * field-delim      = *WSP ";" *WSP
 * tlsrpt-field     = tlsrpt-rua / tlsrpt-extension
 * tlsrpt-rua       = "rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 * tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
 * tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 * tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 * </pre>
 * The rua field is required and must appear once; each URI is a {@code mailto:} address or an {@code https:}
 * URL (RFC 8460 §3: the only two schemes defined).
 *
 * @param rua the reporting URIs in record order
 */
public record TlsRptTxt(List<URI> rua) {

    static final String VERSION = "v=TLSRPTv1";
    private static final String SECTION = " (RFC 8460 §3)";

    public TlsRptTxt {
        rua = List.copyOf(rua);
        if (rua.isEmpty()) {
            throw new IllegalArgumentException("at least one rua URI is required");
        }
    }

    /**
     * Picks the one record beginning with {@code v=TLSRPTv1} among all TXT records at the name; RFC 8460 §3: when
     * there is not exactly one, senders assume the domain does not implement TLSRPT.
     *
     * @throws IllegalArgumentException saying why no record can be used
     */
    public static TlsRptTxt select(List<String> records) {
        List<String> candidates = records.stream()
                .filter(r -> r.startsWith(VERSION) && (r.length() == VERSION.length() || isDelimiterStart(r.charAt(VERSION.length()))))
                .toList();
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no TXT record begins with " + VERSION + " (" + records.size()
                    + " TXT records at the name)" + SECTION);
        }
        if (candidates.size() > 1) {
            throw new IllegalArgumentException(candidates.size() + " TXT records begin with " + VERSION
                    + "; with more than one, senders send no reports" + SECTION);
        }
        return parse(candidates.get(0));
    }

    /**
     * Parses one record by the grammar above.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static TlsRptTxt parse(String record) {
        Objects.requireNonNull(record, "record");
        if (!record.startsWith(VERSION)) {
            throw new IllegalArgumentException("must begin with \"" + VERSION + "\" (case-sensitive)" + SECTION);
        }
        List<URI> rua = null;
        String[] fields = record.substring(VERSION.length()).split(";", -1);
        if (!fields[0].isBlank()) {
            throw new IllegalArgumentException("\"" + VERSION + "\" must be followed by \";\"" + SECTION);
        }
        for (int i = 1; i < fields.length; i++) {
            String field = strip(fields[i]);
            if (field.isEmpty()) {
                if (i == fields.length - 1) {
                    break; // optional trailing delimiter
                }
                throw new IllegalArgumentException("empty field between \";\" delimiters" + SECTION);
            }
            int eq = field.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("field \"" + field + "\" is not name=value" + SECTION);
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (name.equals("rua")) {
                if (rua != null) {
                    throw new IllegalArgumentException("more than one rua field" + SECTION);
                }
                rua = uris(value);
            } else {
                checkExtension(name, value);
            }
        }
        if (rua == null) {
            throw new IllegalArgumentException("the rua field is required (e.g. \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\")" + SECTION);
        }
        return new TlsRptTxt(rua);
    }

    private static List<URI> uris(String value) {
        List<URI> uris = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            uris.add(uri(strip(part)));
        }
        return uris;
    }

    private static URI uri(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty URI in rua" + SECTION);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("rua URI \"" + text + "\" is malformed: " + e.getReason() + SECTION);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "mailto" -> {
                String address = uri.getSchemeSpecificPart();
                int at = address.indexOf('@');
                if (at < 1 || at != address.lastIndexOf('@') || at == address.length() - 1 || address.indexOf('?') >= 0 && address.indexOf('?') < at) {
                    throw new IllegalArgumentException("rua URI \"" + text + "\": mailto needs one address local@domain" + SECTION);
                }
            }
            case "https" -> {
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("rua URI \"" + text + "\": https URL has no host" + SECTION);
                }
            }
            default -> throw new IllegalArgumentException("rua URI \"" + text + "\": scheme must be mailto or https" + SECTION);
        }
        return uri;
    }

    private static void checkExtension(String name, String value) {
        boolean nameOk = name.length() <= 32 && isAlphaDigit(name.charAt(0))
                && name.chars().allMatch(c -> isAlphaDigit((char) c) || c == '_' || c == '-' || c == '.');
        if (!nameOk) {
            throw new IllegalArgumentException("invalid field name \"" + name + "\"" + SECTION);
        }
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e && c != '=' && c != ';')) {
            throw new IllegalArgumentException("field \"" + name + "\" needs a value of printable ASCII without '=', ';' or space" + SECTION);
        }
    }

    private static boolean isDelimiterStart(char c) {
        return c == ';' || c == ' ' || c == '\t';
    }

    private static boolean isAlphaDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** Removes the WSP (space and tab only) the grammar allows around delimiters. */
    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }
}
