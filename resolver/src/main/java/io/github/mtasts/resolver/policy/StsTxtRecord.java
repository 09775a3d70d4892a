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
        records.forEach(record -> Objects.requireNonNull(record, "record"));
        List<String> candidates = TxtTagGrammar.candidates(records, VERSION);
        if (candidates.isEmpty()) {
            throw new TxtRecordException(Kind.NO_RECORD,
                    "no TXT record begins with v=STSv1 (" + records.size() + " TXT records at the name)");
        }
        if (candidates.size() > 1) {
            throw new TxtRecordException(Kind.MULTIPLE_RECORDS,
                    candidates.size() + " TXT records begin with v=STSv1; exactly one is allowed (RFC 8461 §3.1)");
        }
        return parse(candidates.get(0));
    }

    /** Parses one record exactly per the §3.1 grammar above. */
    public static StsTxtRecord parse(String record) throws TxtRecordException {
        Objects.requireNonNull(record, "record");
        String[] id = {null};
        TxtTagGrammar.fields(record, VERSION, false, "whitespace is allowed only around \";\"",
                StsTxtRecord::invalid, field -> {
                    if (isIdField(field)) {
                        if (id[0] != null) {
                            throw invalid("more than one id field");
                        }
                        id[0] = field.length() > 3 ? field.substring(3) : "";
                        if (!isValidId(id[0])) {
                            throw invalid("id must be 1-" + MAX_ID + " letters or digits, got \"" + id[0] + "\"");
                        }
                    } else {
                        TxtTagGrammar.checkExtension(field, "; whitespace is allowed only around \";\"",
                                StsTxtRecord::invalid);
                    }
                });
        if (id[0] == null) {
            throw invalid("the id field is required (e.g. \"v=STSv1; id=20240101T000000\")");
        }
        return new StsTxtRecord(id[0]);
    }

    private static boolean isIdField(String field) {
        return field.startsWith("id=") || field.equals("id");
    }

    private static boolean isValidId(String id) {
        if (id.isEmpty() || id.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            if (!TxtTagGrammar.isAlphaDigit(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static TxtRecordException invalid(String rule) {
        return new TxtRecordException(Kind.INVALID, rule + " (RFC 8461 §3.1)");
    }
}
