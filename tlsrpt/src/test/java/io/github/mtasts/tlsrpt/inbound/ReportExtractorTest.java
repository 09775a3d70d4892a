package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ReportExtractorTest {

    private final ReportExtractor extractor = new ReportExtractor(1 << 20);

    /** A message with one attachment of the given type and file name. */
    private static byte[] message(String outerType, String partType, String fileName, byte[] content) {
        String boundary = "b0undary";
        return ("From: reports@example.net\r\nTo: tlsrpt@example.com\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: " + outerType + "; boundary=\"" + boundary + "\"\r\n\r\n"
                + "--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nA TLS report.\r\n"
                + "--" + boundary + "\r\nContent-Type: " + partType + "\r\n"
                + "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(content) + "\r\n"
                + "--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void realGoogleMessageYieldsItsGzippedReport() throws Exception {
        List<ReportAttachment> found = extractor.fromMessage("eml", Samples.bytes(Samples.GOOGLE_CARDINALHEALTH_EML));

        assertThat(found).singleElement().satisfies(a -> {
            assertThat(a.json()).isEqualTo(Samples.bytes(Samples.GOOGLE_CARDINALHEALTH));
            assertThat(a.origin()).isEqualTo("eml (google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz)");
        });
    }

    @Test
    void applicationGzipNamedJsonGzInAnOrdinaryMultipartIsAReport() throws Exception {
        byte[] json = Samples.bytes(Samples.MICROSOFT);

        List<ReportAttachment> found = extractor.fromMessage("m", message("multipart/mixed", "application/gzip",
                "report.json.gz", Samples.gzip(json)));

        assertThat(found).singleElement().satisfies(a -> assertThat(a.json()).isEqualTo(json));
    }

    @Test
    void tlsrptJsonPartIsAReport() throws Exception {
        byte[] json = Samples.bytes(Samples.MAIL_RU);

        List<ReportAttachment> found = extractor.fromMessage("m", message("multipart/mixed", "application/tlsrpt+json",
                "report.json", json));

        assertThat(found).singleElement().satisfies(a -> assertThat(a.json()).isEqualTo(json));
    }

    @Test
    void gzipAttachmentWithAnotherNameOutsideAReportIsNotOne() throws Exception {
        List<ReportAttachment> found = extractor.fromMessage("m", message("multipart/mixed", "application/gzip",
                "backup.tar.gz", Samples.gzip(Samples.bytes(Samples.MICROSOFT))));

        assertThat(found).isEmpty();
    }

    @Test
    void reportPartThatIsNeitherGzipNorJsonIsAnError() {
        assertThatThrownBy(() -> extractor.fromMessage("m", message("multipart/report; report-type=tlsrpt",
                "application/tlsrpt+gzip", "r.json.gz", "not a report".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(InvalidReportException.class)
                .hasMessage("m (r.json.gz): application/tlsrpt+gzip part is neither gzip nor JSON");
    }

    @Test
    void decompressionStopsAtTheLimit() {
        byte[] zeros = new byte[4096];
        ReportExtractor small = new ReportExtractor(1000);

        assertThatThrownBy(() -> small.fromFile("bomb.json.gz", Samples.gzip(zeros)))
                .isInstanceOf(InvalidReportException.class)
                .hasMessage("bomb.json.gz: report larger than the limit of 1000 bytes");
    }

    @Test
    void gzipBombInAMessageStopsAtTheDefaultLimit() throws Exception {
        // 256 MiB of zeros, about 250 kB gzipped: decompressed whole it would fill a small heap
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                gzip.write(zeros);
            }
        }
        ReportExtractor defaults = new ReportExtractor(ReportLimits.DEFAULT);

        assertThatThrownBy(() -> defaults.fromMessage("m", message("multipart/report; report-type=tlsrpt",
                "application/tlsrpt+gzip", "bomb.json.gz", compressed.toByteArray())))
                .isInstanceOfSatisfying(ReportLimitException.class, e -> assertThat(e.limit()).isEqualTo("report_bytes"))
                .hasMessage("m (bomb.json.gz): report larger than the limit of 2097152 bytes");
    }

    @Test
    void fileThatIsNeitherJsonNorGzipIsRejected() {
        assertThatThrownBy(() -> extractor.fromFile("notes.txt", "hello".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(InvalidReportException.class)
                .hasMessage("notes.txt: neither JSON nor gzip");
    }
}
