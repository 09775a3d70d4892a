package io.github.mtasts.tlsrpt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportBuilderTest {

    private static final ReporterSettings GOOGLE = new ReporterSettings("Google Inc.",
            "smtp-tls-reporting@google.com", "google.com");
    private static final ReporterSettings OURS = new ReporterSettings("Example Mail", "tlsrpt@example.net",
            "mail.example.net");

    private static final List<String> STS_LINES = List.of("version: STSv1", "mode: enforce", "max_age: 86400",
            "mx: mx1.example.com", "mx: *.backup.example.com");

    private static JsonNode withoutReportId(String json) {
        ObjectNode node = (ObjectNode) Rfc8460Json.parse(json);
        node.remove("report-id");
        return node;
    }

    @Test
    void noPolicyFoundDayMatchesGooglesReportMemberForMember() {
        TlsRptReport report = new ReportBuilder(GOOGLE).build(new DailyReport(LocalDate.of(2024, 9, 3),
                "cardinalhealth.ca", List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 48, 0, List.of()))));

        String google = Samples.read("google-cardinalhealth.json");
        assertThat(withoutReportId(report.json())).isEqualTo(withoutReportId(google));
        // Same member order too: the texts differ only in the report-id value.
        assertThat(report.json().replace(report.reportId(), "2024-09-03T00:00:00Z_cardinalhealth.ca")).isEqualTo(google);
        assertThat(report.fileName()).isEqualTo("google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz");
    }

    @Test
    void stsDayMatchesGooglesReportMemberForMember() {
        List<String> lines = List.of("version: STSv1", "mode: enforce", "max_age: 2419200", "mx: digilicious.com");
        TlsRptReport report = new ReportBuilder(GOOGLE).build(new DailyReport(LocalDate.of(2022, 1, 9),
                "digilicious.com", List.of(new PolicyResult(new AppliedPolicy(PolicyType.STS, lines, List.of()),
                        5, 0, List.of()))));

        ObjectNode google = (ObjectNode) withoutReportId(Samples.read("google-digilicious.json"));
        // Google leaves the policy file's CR in each line; we report the lines without line terminators.
        ArrayNode googleLines = (ArrayNode) google.at("/policies/0/policy/policy-string");
        for (int i = 0; i < googleLines.size(); i++) {
            googleLines.set(i, new TextNode(googleLines.get(i).asText().replace("\r", "")));
        }
        assertThat(withoutReportId(report.json())).isEqualTo(google);
        assertThat(report.fileName()).isEqualTo("google.com!digilicious.com!1641686400!1641772799!001.json.gz");
    }

    @Test
    void policyFetchErrorMatchesMicrosoftsReport() {
        ReporterSettings microsoft = new ReporterSettings("Microsoft Corporation", "tlsrpt-noreply@microsoft.com",
                "microsoft.com");
        TlsRptReport report = new ReportBuilder(microsoft).build(new DailyReport(LocalDate.of(2025, 6, 14),
                "xxxxxxxx.xx", List.of(new PolicyResult(new AppliedPolicy(PolicyType.STS, List.of(), List.of()), 0, 3,
                        List.of(FailureDetail.of("sts-policy-fetch-error", 3))))));

        assertThat(withoutReportId(report.json()))
                .isEqualTo(withoutReportId(Samples.read("microsoft-sts-policy-fetch-error.json")));
    }

    @Test
    void unavailableStsPolicyHasTheShapeOfMicrosoftsReportPlusTheKnownSessionKeys() {
        FailureDetail fromStore = new FailureDetail("sts-policy-fetch-error", "192.0.2.1", "mx1.example.com", "",
                "198.51.100.7", 3, "", "");
        TlsRptReport report = new ReportBuilder(OURS).build(new DailyReport(LocalDate.of(2025, 6, 14), "example.com",
                List.of(new PolicyResult(AppliedPolicy.stsUnavailable(), 0, 3, List.of(fromStore)))));

        JsonNode ours = Rfc8460Json.parse(report.json());
        JsonNode microsoft = Rfc8460Json.parse(Samples.read("microsoft-sts-policy-fetch-error.json"));
        List<String> microsoftPolicyMembers = new ArrayList<>();
        microsoft.at("/policies/0/policy").fieldNames().forEachRemaining(microsoftPolicyMembers::add);
        assertThat(microsoftPolicyMembers).containsExactly("policy-type", "policy-domain");
        assertThat(ours.at("/policies/0/policy").fieldNames()).toIterable()
                .containsExactlyElementsOf(microsoftPolicyMembers);
        assertThat(ours.at("/policies/0/policy/policy-type").asText()).isEqualTo("sts");
        assertThat(ours.at("/policies/0/policy/policy-domain").asText()).isEqualTo("example.com");
        assertThat(ours.at("/policies/0/summary")).isEqualTo(microsoft.at("/policies/0/summary"));
        assertThat(ours.at("/policies/0/failure-details/0").fieldNames()).toIterable().containsExactly("result-type",
                "sending-mta-ip", "receiving-mx-hostname", "receiving-ip", "failed-session-count");
        ObjectNode detail = (ObjectNode) ours.at("/policies/0/failure-details/0").deepCopy();
        detail.remove(List.of("sending-mta-ip", "receiving-mx-hostname", "receiving-ip"));
        assertThat(detail).isEqualTo(microsoft.at("/policies/0/failure-details/0"));
        assertThat(report.json()).doesNotContain("null");
        assertThat(Rfc8460Json.schemaViolations(ours)).isEmpty();
        assertThat(Rfc8460Json.parsedmarcViolations(ours)).isEmpty();
    }

    @Test
    void fullReportHasEveryMemberInRfcOrderAndConformsToTheSchemaAndParsedmarc() {
        FailureDetail expired = new FailureDetail("certificate-expired", "192.0.2.10", "mx1.example.com", "mx1.example.com",
                "198.51.100.7", 2, "https://tlsrpt.example.net/why/expired", "X509_V_ERR_CERT_HAS_EXPIRED");
        FailureDetail starttls = new FailureDetail("starttls-not-supported", "192.0.2.99", "mx2.backup.example.com",
                null, "2001:db8:1::25", 1, null, null);
        TlsRptReport report = new ReportBuilder(OURS).build(new DailyReport(LocalDate.of(2026, 11, 28), "Example.COM.",
                List.of(new PolicyResult(AppliedPolicy.sts(STS_LINES, List.of("mx1.example.com", "*.backup.example.com")),
                        40, 3, List.of(expired, starttls)))));

        assertThat(report.json()).isEqualTo("{\"organization-name\":\"Example Mail\","
                + "\"date-range\":{\"start-datetime\":\"2026-11-28T00:00:00Z\",\"end-datetime\":\"2026-11-28T23:59:59Z\"},"
                + "\"contact-info\":\"tlsrpt@example.net\",\"report-id\":\"2026-11-28_example.com@mail.example.net\","
                + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\","
                + "\"mode: enforce\",\"max_age: 86400\",\"mx: mx1.example.com\",\"mx: *.backup.example.com\"],"
                + "\"policy-domain\":\"example.com\",\"mx-host\":[\"mx1.example.com\",\"*.backup.example.com\"]},"
                + "\"summary\":{\"total-successful-session-count\":40,\"total-failure-session-count\":3},"
                + "\"failure-details\":[{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":\"192.0.2.10\","
                + "\"receiving-mx-hostname\":\"mx1.example.com\",\"receiving-mx-helo\":\"mx1.example.com\","
                + "\"receiving-ip\":\"198.51.100.7\",\"failed-session-count\":2,"
                + "\"additional-information\":\"https://tlsrpt.example.net/why/expired\","
                + "\"failure-reason-code\":\"X509_V_ERR_CERT_HAS_EXPIRED\"},"
                + "{\"result-type\":\"starttls-not-supported\",\"sending-mta-ip\":\"192.0.2.99\","
                + "\"receiving-mx-hostname\":\"mx2.backup.example.com\",\"receiving-ip\":\"2001:db8:1::25\","
                + "\"failed-session-count\":1}]}]}");
        JsonNode tree = Rfc8460Json.parse(report.json());
        assertThat(Rfc8460Json.schemaViolations(tree)).isEmpty();
        assertThat(Rfc8460Json.parsedmarcViolations(tree)).isEmpty();
    }

    @Test
    void resolverPolicyIsReportedWithItsPublishedLinesAndMxPatterns() throws Exception {
        StsPolicy served = StsPolicy.parse("version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\n"
                + "mx: *.backup.example.com\r\nmax_age: 604800\r\n");
        TlsRptReport report = new ReportBuilder(OURS).build(new DailyReport(LocalDate.of(2026, 11, 28), "example.com",
                List.of(new PolicyResult(AppliedPolicy.of(served), 9, 0, List.of()))));
        JsonNode policy = Rfc8460Json.parse(report.json()).at("/policies/0/policy");
        assertThat(policy.path("policy-string")).extracting(JsonNode::asText).containsExactly("version: STSv1",
                "mode: testing", "mx: mx1.example.com", "mx: *.backup.example.com", "max_age: 604800");
        assertThat(policy.path("mx-host")).extracting(JsonNode::asText)
                .containsExactly("mx1.example.com", "*.backup.example.com");
    }

    @Test
    void severalPoliciesOfOneDayEachGetAnEntry() {
        TlsRptReport report = new ReportBuilder(OURS).build(new DailyReport(LocalDate.of(2026, 11, 28), "example.com",
                List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 5, 0, List.of()),
                        new PolicyResult(AppliedPolicy.sts(STS_LINES, List.of("mx1.example.com")), 7, 1,
                                List.of(FailureDetail.of("certificate-not-trusted", 1))))));
        JsonNode tree = Rfc8460Json.parse(report.json());
        assertThat(tree.path("policies")).hasSize(2);
        assertThat(tree.at("/policies/0/policy/policy-type").asText()).isEqualTo("no-policy-found");
        assertThat(tree.at("/policies/0/policy/policy-domain").asText())
                .as("RFC 8460 §4.4: policy-domain is required for every policy type").isEqualTo("example.com");
        assertThat(tree.at("/policies/1/policy/policy-type").asText()).isEqualTo("sts");
        assertThat(tree.at("/policies/1/policy/policy-domain").asText()).isEqualTo("example.com");
        assertThat(Rfc8460Json.schemaViolations(tree)).isEmpty();
    }

    @Test
    void absentOptionalMembersAreLeftOutWhetherNullOrEmpty() {
        // the aggregate store keys absent values as empty strings
        FailureDetail fromStore = new FailureDetail("validation-failure", "", "", " ", "", 4, "", "");
        TlsRptReport report = new ReportBuilder(OURS).build(new DailyReport(LocalDate.of(2026, 1, 1), "example.com",
                List.of(new PolicyResult(AppliedPolicy.sts(STS_LINES, List.of()), 0, 5,
                        List.of(fromStore, FailureDetail.of("sts-policy-fetch-error", 1))))));
        JsonNode details = Rfc8460Json.parse(report.json()).at("/policies/0/failure-details");
        for (JsonNode detail : details) {
            assertThat(detail.fieldNames()).toIterable().containsExactly("result-type", "failed-session-count");
        }
        assertThat(Rfc8460Json.parse(report.json()).at("/policies/0/policy").has("mx-host")).isFalse();
    }

    @Test
    void reportIdIsDerivedFromDayDomainAndSubmitterSoARebuildKeepsIt() {
        DailyReport daily = new DailyReport(LocalDate.of(2026, 2, 28), "example.com",
                List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 1, 0, List.of())));
        TlsRptReport first = new ReportBuilder(OURS).build(daily);
        TlsRptReport second = new ReportBuilder(OURS).build(daily);
        assertThat(first.reportId()).isEqualTo("2026-02-28_example.com@mail.example.net");
        assertThat(second).isEqualTo(first);
        assertThat(second.gzip()).isEqualTo(first.gzip());
        ReporterSettings other = new ReporterSettings("Other", "c@other.example", "other.example");
        assertThat(new ReportBuilder(other).build(daily).reportId()).isNotEqualTo(first.reportId());
    }

    @Test
    void reportIdIsAValidMessageIdForTheSubject() {
        String id = new ReportBuilder(OURS).reportId(LocalDate.of(2026, 12, 31), "xn--bcher-kva.example");
        // RFC 5322 msg-id: id-left "@" id-right, both dot-atom-text
        String atext = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
        String dotAtom = atext + "(\\." + atext + ")*";
        assertThat(id).matches(dotAtom + "@" + dotAtom);
    }

    @Test
    void dateRangeAndFileNameCoverExactlyTheUtcDay() {
        TlsRptReport report = new ReportBuilder(OURS).build(new DailyReport(LocalDate.of(2024, 2, 29), "example.com",
                List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 1, 0, List.of()))));
        assertThat(report.beginEpoch()).isEqualTo(1709164800L);
        assertThat(report.endEpoch()).isEqualTo(1709251199L);
        assertThat(report.fileName()).isEqualTo("mail.example.net!example.com!1709164800!1709251199!001.json.gz");
        assertThat(report.jsonFileName()).isEqualTo("mail.example.net!example.com!1709164800!1709251199!001.json");
        JsonNode range = Rfc8460Json.parse(report.json()).path("date-range");
        assertThat(range.path("start-datetime").asText()).isEqualTo("2024-02-29T00:00:00Z");
        assertThat(range.path("end-datetime").asText()).isEqualTo("2024-02-29T23:59:59Z");
    }

    @Test
    void gzipRoundTripsToTheJson() throws IOException {
        TlsRptReport report = new ReportBuilder(OURS).build(new DailyReport(LocalDate.of(2026, 1, 1), "example.com",
                List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 1, 0, List.of()))));
        byte[] gz = report.gzip();
        assertThat(gz[0]).isEqualTo((byte) 0x1f);
        assertThat(gz[1]).isEqualTo((byte) 0x8b);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(report.json());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"google-cardinalhealth.json", "google-digilicious.json",
            "microsoft-sts-policy-fetch-error.json", "mailru.json", "parsedmarc-smtp_tls.json"})
    void theSchemaChecksAcceptEveryRealReport(String sample) {
        JsonNode tree = Rfc8460Json.parse(Samples.read(sample));
        assertThat(Rfc8460Json.schemaViolations(tree)).isEmpty();
        assertThat(Rfc8460Json.parsedmarcViolations(tree)).isEmpty();
    }

    @Test
    void theSchemaChecksCatchNullsMissingMembersAndBadDates() {
        ObjectNode tree = (ObjectNode) Rfc8460Json.parse(Samples.read("microsoft-sts-policy-fetch-error.json"));
        tree.remove("contact-info");
        ((ObjectNode) tree.path("date-range")).put("end-datetime", "2025-06-14T23:59Z");
        ObjectNode detail = (ObjectNode) tree.at("/policies/0/failure-details/0");
        detail.putNull("receiving-ip");
        detail.remove("failed-session-count");
        List<String> schema = new ArrayList<>(Rfc8460Json.schemaViolations(tree));
        assertThat(schema).anySatisfy(e -> assertThat(e).contains("contact-info is missing"))
                .anySatisfy(e -> assertThat(e).contains("end-datetime \"2025-06-14T23:59Z\" is not an RFC 3339"))
                .anySatisfy(e -> assertThat(e).contains("receiving-ip is null"))
                .anySatisfy(e -> assertThat(e).contains("failed-session-count is missing"));
        assertThat(Rfc8460Json.parsedmarcViolations(tree))
                .contains("parsedmarc needs string contact-info", "parsedmarc needs failure-details[].failed-session-count");
    }

    @Test
    void everyRfc8460ResultTypeAndNoOtherIsAccepted() {
        assertThat(FailureDetail.RESULT_TYPES).isEqualTo(Rfc8460Json.RESULT_TYPES);
        assertThat(FailureDetail.RESULT_TYPES).allSatisfy(type -> assertThat(FailureDetail.of(type, 1).resultType())
                .isEqualTo(type));
        assertThatThrownBy(() -> FailureDetail.of("success", 1)).hasMessageContaining("result-type \"success\"");
    }

    @Test
    void invalidInputIsRejectedWithTheRuleItBreaks() {
        assertThatThrownBy(() -> FailureDetail.of("certificate-revoked", 1))
                .hasMessageContaining("result-type \"certificate-revoked\" is not an RFC 8460 §4.3 result type");
        assertThatThrownBy(() -> new FailureDetail("validation-failure", "mx.example", null, null, null, 1, null, null))
                .hasMessageContaining("sending-mta-ip \"mx.example\" is not an IP address literal");
        assertThatThrownBy(() -> new FailureDetail("validation-failure", null, null, null, "1.2.3", 1, null, null))
                .hasMessageContaining("receiving-ip \"1.2.3\"");
        assertThatThrownBy(() -> FailureDetail.of("validation-failure", 0))
                .hasMessageContaining("failed-session-count must be at least 1");
        assertThatThrownBy(() -> new FailureDetail("validation-failure", null, "bad_host", null, null, 1, null, null))
                .hasMessageContaining("receiving-mx-hostname \"bad_host\"");
        assertThatThrownBy(() -> new FailureDetail("validation-failure", null, null, null, null, 1, "no uri", null))
                .hasMessageContaining("additional-information must be a URI");
        assertThatThrownBy(() -> new PolicyResult(AppliedPolicy.noPolicyFound(), 1, 1,
                List.of(FailureDetail.of("validation-failure", 2))))
                .hasMessageContaining("failure-details count 2 failed sessions but total-failure-session-count is 1");
        assertThatThrownBy(() -> new PolicyResult(AppliedPolicy.noPolicyFound(), 0, 0, List.of()))
                .hasMessageContaining("without sessions");
        assertThatThrownBy(() -> new AppliedPolicy(PolicyType.NO_POLICY_FOUND, List.of("version: STSv1"), List.of()))
                .hasMessageContaining("no-policy-found policy has no policy-string");
        assertThatThrownBy(() -> AppliedPolicy.sts(List.of("mode: enforce\r"), List.of()))
                .hasMessageContaining("line break");
        assertThatThrownBy(() -> new DailyReport(LocalDate.of(2026, 1, 1), "example..com",
                List.of(new PolicyResult(AppliedPolicy.noPolicyFound(), 1, 0, List.of()))))
                .hasMessageContaining("policy domain \"example..com\" is not a host name");
        assertThatThrownBy(() -> new DailyReport(LocalDate.of(2026, 1, 1), "example.com", List.of()))
                .hasMessageContaining("no policies for example.com on 2026-01-01");
        assertThatThrownBy(() -> new ReporterSettings("Org", "", "example.net"))
                .hasMessageContaining("contact info is blank");
        assertThatThrownBy(() -> new ReporterSettings(" ", "c@example.net", "example.net"))
                .hasMessageContaining("organization name is blank");
        assertThatThrownBy(() -> new ReporterSettings("Org", "c@example.net", "example net"))
                .hasMessageContaining("submitter domain \"example net\"");
    }
}
