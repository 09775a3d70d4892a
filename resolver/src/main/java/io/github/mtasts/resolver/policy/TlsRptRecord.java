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
        records.forEach(record -> Objects.requireNonNull(record, "record"));
        List<String> candidates = TxtTagGrammar.candidates(records, VERSION);
        if (candidates.isEmpty()) {
            throw new TlsRptRecordException(Kind.NO_RECORD, "no TXT record begins with v=TLSRPTv1 ("
                    + records.size() + " TXT records at the name)");
        }
        if (candidates.size() > 1) {
            throw new TlsRptRecordException(Kind.MULTIPLE_RECORDS, candidates.size()
                    + " TXT records begin with v=TLSRPTv1; exactly one is allowed (RFC 8460 §3)");
        }
        return parse(candidates.get(0));
    }

    /** Parses one record exactly per the §3 grammar above. */
    public static TlsRptRecord parse(String record) throws TlsRptRecordException {
        Objects.requireNonNull(record, "record");
        List<ReportUri> rua = new ArrayList<>();
        String[] caseMismatchedRua = {null};
        TxtTagGrammar.fields(record, VERSION, true,
                "whitespace is allowed only around \";\" and around commas in rua", TlsRptRecord::invalid,
                field -> {
                    if (field.startsWith(RUA)) {
                        if (!rua.isEmpty()) {
                            throw invalid("more than one rua field");
                        }
                        rua.addAll(parseRua(field.substring(RUA.length())));
                    } else {
                        TxtTagGrammar.checkExtension(field, "", TlsRptRecord::invalid);
                        if (field.regionMatches(true, 0, RUA, 0, RUA.length())) {
                            caseMismatchedRua[0] = field.substring(0, RUA.length() - 1);
                        }
                    }
                });
        if (rua.isEmpty()) {
            throw invalid("the rua field is required (e.g. \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\")"
                    + (caseMismatchedRua[0] == null ? ""
                            : "; \"" + caseMismatchedRua[0] + "=\" is not \"rua=\" (field names are case-sensitive)"));
        }
        return new TlsRptRecord(rua);
    }

    private static List<ReportUri> parseRua(String value) throws TlsRptRecordException {
        List<ReportUri> uris = new ArrayList<>();
        String[] parts = value.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String uri = TxtTagGrammar.trimWsp(parts[i]);
            if (uri.isEmpty()) {
                throw invalid("rua URI " + (i + 1) + " of " + parts.length + " is empty");
            }
            for (int c = 0; c < uri.length(); c++) {
                if (TxtTagGrammar.isWsp(uri.charAt(c))) {
                    throw invalid("whitespace inside rua URI \"" + uri
                            + "\"; whitespace is allowed only around the commas between URIs");
                }
            }
            try {
                uris.add(ReportUri.parse(uri));
            } catch (IllegalArgumentException e) {
                throw invalid("rua " + e.getMessage());
            }
        }
        return uris;
    }

    private static TlsRptRecordException invalid(String rule) {
        return new TlsRptRecordException(Kind.INVALID, rule + " (RFC 8460 §3)");
    }
}
