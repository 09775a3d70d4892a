package io.github.mtasts.tlsrpt.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** Gzip for report delivery ({@code application/tlsrpt+gzip}, RFC 8460 §5.3). */
public final class Gzip {

    private Gzip() {
    }

    /**
     * Compresses {@code data}. The output depends only on the input (GZIPOutputStream writes no file name and a
     * zero modification time), so a re-delivered report is byte-identical.
     */
    public static byte[] compress(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory failed", e);
        }
        return out.toByteArray();
    }
}
