package io.github.mtasts.tlsrpt.inbound;

import java.util.Objects;

/**
 * The JSON of one report as found in a file or message, decompressed.
 *
 * @param origin where it came from, for log lines and import output (file name, MIME part)
 * @param json   the report's JSON bytes
 */
public record ReportAttachment(String origin, byte[] json) {

    public ReportAttachment {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(json, "json");
    }
}
