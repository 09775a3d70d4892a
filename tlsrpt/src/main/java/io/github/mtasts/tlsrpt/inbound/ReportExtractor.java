package io.github.mtasts.tlsrpt.inbound;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

/**
 * Finds the report JSON in what arrives: raw JSON, gzipped JSON, or a mail message. In a message a report is
 * a part of type {@code application/tlsrpt+gzip} or {@code application/tlsrpt+json} (RFC 8460 §5.3), or, as
 * some senders label it, {@code application/gzip}/{@code application/json} named {@code *.json.gz}/{@code *.json};
 * inside a {@code multipart/report; report-type=tlsrpt} any gzip or JSON part counts. Reading and decompression
 * stop at {@link ReportLimits#maxReportBytes}, so neither a large part nor a small gzip bomb can exhaust memory.
 */
public final class ReportExtractor {

    private static final Session SESSION = Session.getInstance(new Properties());

    private final ReportLimits limits;
    private final long maxReportBytes;

    /** @param maxReportBytes the largest decompressed report accepted; the other limits are the defaults */
    public ReportExtractor(long maxReportBytes) {
        this(ReportLimits.DEFAULT.withMaxReportBytes(maxReportBytes));
    }

    public ReportExtractor(ReportLimits limits) {
        this.limits = limits;
        this.maxReportBytes = limits.maxReportBytes();
    }

    /** What a report found here may hold, for the parser. */
    public ReportLimits limits() {
        return limits;
    }

    /** Whether {@code bytes} start like gzip (RFC 1952 magic). */
    static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    /** Whether {@code bytes} start, after white space, with a JSON object. */
    static boolean isJson(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != (byte) 0xef && b != (byte) 0xbb
                    && b != (byte) 0xbf) {
                return false;
            }
        }
        return false;
    }

    /** A lone report file: JSON, or gzipped JSON. */
    public ReportAttachment fromFile(String origin, byte[] bytes) throws InvalidReportException {
        if (isGzip(bytes)) {
            return new ReportAttachment(origin, gunzip(origin, bytes));
        }
        if (isJson(bytes)) {
            return new ReportAttachment(origin, bytes);
        }
        throw new InvalidReportException(origin + ": neither JSON nor gzip");
    }

    /** A lone report file read from {@code in}, of which no more than the report limit is read. */
    public ReportAttachment fromFile(String origin, InputStream in) throws InvalidReportException, IOException {
        return fromFile(origin, readCapped(origin, in));
    }

    /**
     * The reports a mail message carries; empty when it carries none. A report part we cannot decode is an
     * error: the sender meant to report, and the caller should count it as rejected.
     */
    public List<ReportAttachment> fromMessage(String origin, byte[] message) throws InvalidReportException {
        try {
            // shared: the parts are views of these bytes, not copies of them
            MimeMessage mime = new MimeMessage(SESSION, new SharedByteArrayInputStream(message));
            List<ReportAttachment> found = new ArrayList<>();
            walk(origin, mime, false, found);
            return found;
        } catch (MessagingException | IOException e) {
            throw new InvalidReportException(origin + ": unreadable MIME message: " + e.getMessage());
        }
    }

    private void walk(String origin, Part part, boolean insideTlsrpt, List<ReportAttachment> found)
            throws MessagingException, IOException, InvalidReportException {
        ContentType type = contentType(part);
        if (type == null) {
            return;
        }
        if (type.match("multipart/*")) {
            boolean tlsrpt = insideTlsrpt || (type.match("multipart/report")
                    && "tlsrpt".equalsIgnoreCase(type.getParameter("report-type")));
            Object content = part.getContent();
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart child = multipart.getBodyPart(i);
                    walk(origin, child, tlsrpt, found);
                }
            }
            return;
        }
        String name = fileName(part, type);
        String partOrigin = origin + (name.isEmpty() ? "" : " (" + name + ")");
        boolean gzip = type.match("application/tlsrpt+gzip")
                || ((type.match("application/gzip") || type.match("application/x-gzip")
                || type.match("application/octet-stream")) && (name.endsWith(".json.gz") || insideTlsrpt));
        boolean json = type.match("application/tlsrpt+json")
                || (type.match("application/json") && (name.endsWith(".json") || insideTlsrpt));
        if (!gzip && !json) {
            return;
        }
        byte[] bytes;
        try (InputStream in = part.getInputStream()) {
            bytes = readCapped(partOrigin, in);
        }
        if (gzip && isGzip(bytes)) {
            found.add(new ReportAttachment(partOrigin, gunzip(partOrigin, bytes)));
        } else if (isJson(bytes)) {
            // some senders label plain JSON as gzip; the bytes decide
            found.add(new ReportAttachment(partOrigin, bytes));
        } else {
            throw new InvalidReportException(partOrigin + ": " + type.getBaseType() + " part is neither gzip nor JSON");
        }
    }

    private static ContentType contentType(Part part) throws MessagingException {
        String header = part.getContentType();
        if (header == null) {
            return null;
        }
        try {
            return new ContentType(header);
        } catch (ParseException e) {
            return null;
        }
    }

    private static String fileName(Part part, ContentType type) throws MessagingException {
        String name = null;
        try {
            name = part.getFileName();
        } catch (MessagingException e) {
            // a broken Content-Disposition: fall back to the type's name parameter
        }
        if (name == null) {
            name = type.getParameter("name");
        }
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    }

    private byte[] gunzip(String origin, byte[] bytes) throws InvalidReportException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return readCapped(origin, in);
        } catch (IOException e) {
            throw new InvalidReportException(origin + ": broken gzip data: " + e.getMessage());
        }
    }

    private byte[] readCapped(String origin, InputStream in) throws IOException, InvalidReportException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > maxReportBytes) {
                throw new ReportLimitException("report_bytes", origin + ": report larger than the limit of "
                        + maxReportBytes + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
