package io.github.mtasts.tlsrpt.inbound;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reports far larger than any real sender's, built as JSON text, for the limits and the dashboard's bounds. */
public final class BigReports {

    private BigReports() {
    }

    /**
     * One report with {@code policies} policies, each for its own domain {@code d<i>.example}, each with
     * {@code failures} failure details from distinct sending IPs.
     */
    public static byte[] json(String organization, String reportId, String day, int policies, int failures) {
        StringBuilder json = new StringBuilder(policies * (200 + failures * 120));
        json.append("{\"organization-name\":\"").append(organization).append("\",\"report-id\":\"").append(reportId)
                .append("\",\"contact-info\":\"tlsrpt@sender.example\",\"date-range\":{\"start-datetime\":\"")
                .append(day).append("T00:00:00Z\",\"end-datetime\":\"").append(day).append("T23:59:59Z\"},")
                .append("\"policies\":[");
        for (int p = 0; p < policies; p++) {
            json.append(p == 0 ? "" : ",").append("{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"d")
                    .append(p).append(".example\",\"policy-string\":[\"version: STSv1\",\"mode: enforce\"]},")
                    .append("\"summary\":{\"total-successful-session-count\":").append(p)
                    .append(",\"total-failure-session-count\":").append(failures).append("},\"failure-details\":[");
            for (int f = 0; f < failures; f++) {
                json.append(f == 0 ? "" : ",").append("{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":\"")
                        .append("10.").append(f / 65536).append('.').append(f / 256 % 256).append('.').append(f % 256)
                        .append("\",\"receiving-mx-hostname\":\"mx.d").append(p)
                        .append(".example\",\"failed-session-count\":1}");
            }
            json.append("]}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A report mail as Google sends it: {@code multipart/report; report-type=tlsrpt} with the report gzipped. */
    public static byte[] message(String to, String reportFileName, byte[] json) {
        String boundary = "b0undary";
        return ("From: noreply-smtp-tls-reporting@sender.example\r\nTo: " + to + "\r\nSubject: Report\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=tlsrpt; boundary=\"" + boundary
                + "\"\r\n\r\n--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nA TLS report.\r\n--" + boundary
                + "\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Disposition: attachment; filename=\""
                + reportFileName + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(Samples.gzip(json)) + "\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
