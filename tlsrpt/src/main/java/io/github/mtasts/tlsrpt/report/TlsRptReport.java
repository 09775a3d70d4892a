package io.github.mtasts.tlsrpt.report;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * One built RFC 8460 report: its JSON and what names it. Built by {@link ReportBuilder}; stored and delivered
 * as is, so every delivery of it carries the same bytes and the same report-id.
 *
 * @param reportId        the {@code report-id}, in {@code id-left "@" id-right} form for the mail Subject
 * @param day             the UTC day covered
 * @param policyDomain    the policy domain
 * @param submitterDomain the reporting domain
 * @param json            the report, RFC 8460 §4 JSON
 */
public record TlsRptReport(String reportId, LocalDate day, String policyDomain, String submitterDomain,
                           String json) {

    /**
     * The optional unique-id of the §5.3 file name. We make one report per day and policy domain, so it never
     * needs to tell two reports for the same range apart; a constant keeps the name of a re-delivery identical.
     */
    static final String FILE_UNIQUE_ID = "001";

    public TlsRptReport {
        Objects.requireNonNull(reportId, "reportId");
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(submitterDomain, "submitterDomain");
        Objects.requireNonNull(json, "json");
    }

    /** First second of the day, epoch seconds (the §5.3 begin-timestamp). */
    public long beginEpoch() {
        return day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }

    /** Last second of the day, epoch seconds (the §5.3 end-timestamp), matching {@code end-datetime}. */
    public long endEpoch() {
        return beginEpoch() + 86_399;
    }

    public byte[] jsonBytes() {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The report gzipped, as delivered. */
    public byte[] gzip() {
        return Gzip.compress(jsonBytes());
    }

    /**
     * RFC 8460 §5.3: {@code sender "!" policy-domain "!" begin-timestamp "!" end-timestamp "!" unique-id
     * ".json.gz"}, e.g. {@code mail.example.net!example.com!1725321600!1725407999!001.json.gz}.
     */
    public String fileName() {
        return baseName() + ".json.gz";
    }

    /** The same name for the uncompressed report ({@code .json}). */
    public String jsonFileName() {
        return baseName() + ".json";
    }

    private String baseName() {
        return submitterDomain + "!" + policyDomain + "!" + beginEpoch() + "!" + endEpoch() + "!" + FILE_UNIQUE_ID;
    }
}
