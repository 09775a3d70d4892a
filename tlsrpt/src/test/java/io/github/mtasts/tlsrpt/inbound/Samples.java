package io.github.mtasts.tlsrpt.inbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** The real reports under {@code src/test/resources/tlsrpt/} (see the SOURCE.txt files next to them). */
final class Samples {

    static final String GOOGLE_DIGILICIOUS = "google.com!digilicious.com!1641686400!1641772799!001.json";
    static final String GOOGLE_CARDINALHEALTH = "google.com!cardinalhealth.ca!1725321600!1725407999!001.json";
    static final String MICROSOFT = "microsoft-2025-06-14-sts-policy-fetch-error.json";
    static final String MAIL_RU = "parsedmarc-mail.ru.json";
    static final String PARSEDMARC_GOOGLE_STYLE = "parsedmarc-smtp_tls.json";
    static final String GOOGLE_DIGILICIOUS_EML = "google-digilicious-2022-01-09.eml";
    static final String GOOGLE_CARDINALHEALTH_EML = "parsedmarc-google.com_smtp_tls_report.eml";

    private Samples() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Samples.class.getResourceAsStream("/tlsrpt/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
