package io.github.mtasts.tlsrpt.aggregate;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The DANE policy of one MX host (RFC 8460 §4.4 for {@code policy-type: tlsa}): the host and its DNSSEC-validated
 * TLSA records in presentation form ({@code 3 1 1 <hex>}), sorted. Empty records: the host's TLSA records could
 * not be validated (a {@code dnssec-invalid} or {@code dane-required} session), so the policy text is unknown.
 *
 * <p>Short enough to be its own key: {@link #key()} is what the aggregates store in place of a policy hash, so a
 * report shows the records that were in force on the day without another table.
 */
public record TlsaPolicy(String mxHost, List<String> records) {
    private static final Pattern RECORD = Pattern.compile("\\d{1,3} \\d{1,3} \\d{1,3} [0-9a-f]{2,8192}");
    private static final char SEPARATOR = '|';

    public TlsaPolicy {
        if (mxHost == null || mxHost.isEmpty() || mxHost.indexOf(SEPARATOR) >= 0 || mxHost.indexOf(' ') >= 0
                || !mxHost.equals(mxHost.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("MX host must be a non-empty lowercase name: " + mxHost);
        }
        for (String record : records) {
            if (!RECORD.matcher(record).matches()) {
                throw new IllegalArgumentException("not a TLSA record in presentation form: \"" + record + "\"");
            }
        }
        records = records.stream().sorted().toList();
    }

    /** {@code mxhost|record|record...}. */
    public String key() {
        StringBuilder key = new StringBuilder(mxHost);
        records.forEach(record -> key.append(SEPARATOR).append(record));
        return key.toString();
    }

    /** The policy whose {@link #key()} is {@code key}. */
    public static TlsaPolicy ofKey(String key) {
        List<String> parts = List.of(key.split(Pattern.quote(String.valueOf(SEPARATOR)), -1));
        return new TlsaPolicy(parts.get(0), parts.subList(1, parts.size()));
    }
}
