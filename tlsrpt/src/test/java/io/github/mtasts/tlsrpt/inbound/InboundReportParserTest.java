package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InboundReportParserTest {

    private static InboundReport parse(String json) throws InvalidReportException {
        return InboundReportParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static final String MINIMAL_POLICY = """
            "policies": [{"policy": {"policy-type": "sts", "policy-domain": "example.com"},
              "summary": {"total-successful-session-count": 4, "total-failure-session-count": 0}}]""";

    @Test
    void googleReportIsReadWithItsStrayCarriageReturnsRemovedAndRecorded() throws Exception {
        InboundReport report = InboundReportParser.parse(Samples.bytes(Samples.GOOGLE_DIGILICIOUS));
        assertThat(report.organizationName()).isEqualTo("Google Inc.");
        assertThat(report.reportId()).isEqualTo("2022-01-09T00:00:00Z_digilicious.com");
        assertThat(report.start()).isEqualTo(Instant.ofEpochSecond(1641686400));
        assertThat(report.end()).isEqualTo(Instant.ofEpochSecond(1641772799));
        assertThat(report.contactInfo()).contains("smtp-tls-reporting@google.com");
        assertThat(report.policies()).singleElement().satisfies(p -> {
            assertThat(p.policyDomain()).contains("digilicious.com");
            assertThat(p.policyString()).containsExactly(
                    "version: STSv1", "mode: enforce", "max_age: 2419200", "mx: digilicious.com");
            assertThat(p.successfulSessions()).isEqualTo(5);
            assertThat(p.failedSessions()).isZero();
        });
        assertThat(report.deviations()).containsExactly(
                "policies[0].policy.policy-string lines end in a stray \\r; removed");
    }

    @Test
    void microsoftFailureWithoutAddressesIsKeptAndTheMissingSendingIpRecorded() throws Exception {
        InboundReport report = InboundReportParser.parse(Samples.bytes(Samples.MICROSOFT));
        assertThat(report.organizationName()).isEqualTo("Microsoft Corporation");
        assertThat(report.failedSessions()).isEqualTo(3);
        assertThat(report.policies().get(0).failures()).singleElement().satisfies(f -> {
            assertThat(f.resultType()).isEqualTo("sts-policy-fetch-error");
            assertThat(f.failedSessions()).isEqualTo(3);
            assertThat(f.sendingMtaIp()).isEmpty();
            assertThat(f.receivingMxHostname()).isEmpty();
        });
        assertThat(report.deviations()).containsExactly("policies[0].failure-details[0].sending-mta-ip is missing");
    }

    @Test
    void mailRuFreeTextReasonsAndOvercountedDetailsAreRecorded() throws Exception {
        InboundReport report = InboundReportParser.parse(Samples.bytes(Samples.MAIL_RU));
        assertThat(report.policies().get(0).failures()).extracting(f -> f.failureReasonCode().orElseThrow())
                .containsExactly("bad https response code: 404", "bad https response code: 500");
        assertThat(report.deviations()).containsExactly(
                "policies[0].failure-details[0].sending-mta-ip is missing",
                "policies[0].failure-details[0].failure-reason-code is free text, not a code: \"bad https response code: 404\"",
                "policies[0].failure-details[1].sending-mta-ip is missing",
                "policies[0].failure-details[1].failure-reason-code is free text, not a code: \"bad https response code: 500\"",
                "policies[0].failure-details add up to 2 failed sessions but summary.total-failure-session-count is 1");
    }

    @Test
    void wellFormedReportHasNoDeviations() throws Exception {
        InboundReport report = InboundReportParser.parse(Samples.bytes(Samples.PARSEDMARC_GOOGLE_STYLE));
        assertThat(report.deviations()).isEmpty();
        assertThat(report.policies().get(0).failures()).extracting(InboundFailure::sendingMtaIp)
                .containsExactly(Optional.of("209.85.222.201"), Optional.of("209.85.208.176"));
    }

    @Test
    void datetimeWithoutTimeZoneIsReadAsUtcAndRecorded() throws Exception {
        InboundReport report = parse("""
                {"organization-name": "Example", "report-id": "r1", "contact-info": "a@example.net",
                 "date-range": {"start-datetime": "2024-03-01T00:00:00", "end-datetime": "2024-03-01T23:59:59Z"},
                """ + MINIMAL_POLICY + "}");
        assertThat(report.start()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
        assertThat(report.deviations()).containsExactly(
                "date-range.start-datetime \"2024-03-01T00:00:00\" has no time zone; read as UTC");
    }

    @Test
    void nullContactAndMissingPolicyDomainAreRecorded() throws Exception {
        InboundReport report = parse("""
                {"organization-name": "Example", "report-id": "r1", "contact-info": null,
                 "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
                 "policies": [{"policy": {"policy-type": "no-policy-found"},
                   "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0}}]}""");
        assertThat(report.contactInfo()).isEmpty();
        assertThat(report.policies().get(0).policyDomain()).isEmpty();
        assertThat(report.deviations()).containsExactly("contact-info is null", "policies[0].policy.policy-domain is missing");
    }

    @Test
    void reportWithoutReportIdIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> parse("""
                {"organization-name": "Example", "contact-info": "a@example.net",
                 "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
                """ + MINIMAL_POLICY + "}"))
                .isInstanceOf(InvalidReportException.class)
                .hasMessage("report-id: expected a non-empty string, missing");
    }

    @Test
    void negativeCountIsRejectedNamingItsPath() {
        assertThatThrownBy(() -> parse("""
                {"organization-name": "Example", "report-id": "r1", "contact-info": "a@example.net",
                 "date-range": {"start-datetime": "2024-03-01T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
                 "policies": [{"policy": {"policy-type": "sts", "policy-domain": "example.com"},
                   "summary": {"total-successful-session-count": -1, "total-failure-session-count": 0}}]}"""))
                .isInstanceOf(InvalidReportException.class)
                .hasMessage("policies[0].summary.total-successful-session-count: expected a non-negative integer, got -1");
    }

    @Test
    void rangeEndingBeforeItStartsIsRejected() {
        assertThatThrownBy(() -> parse("""
                {"organization-name": "Example", "report-id": "r1", "contact-info": "a@example.net",
                 "date-range": {"start-datetime": "2024-03-02T00:00:00Z", "end-datetime": "2024-03-01T23:59:59Z"},
                """ + MINIMAL_POLICY + "}"))
                .isInstanceOf(InvalidReportException.class)
                .hasMessageStartingWith("date-range: end-datetime 2024-03-01T23:59:59Z is before start-datetime");
    }

    @Test
    void reportWithMorePoliciesThanTheLimitIsRejectedNamingTheLimit() {
        byte[] json = BigReports.json("Big Sender", "r1", "2024-03-01", 20_000, 0);

        assertThatThrownBy(() -> InboundReportParser.parse(json, ReportLimits.DEFAULT.withMaxReportBytes(json.length)))
                .isInstanceOfSatisfying(ReportLimitException.class, e -> assertThat(e.limit()).isEqualTo("policies"))
                .hasMessage("policies: 20000 entries exceed the limit of 1000");
    }

    @Test
    void reportAtThePolicyLimitIsRead() throws Exception {
        InboundReport report = InboundReportParser.parse(BigReports.json("Big Sender", "r1", "2024-03-01", 1000, 1));

        assertThat(report.policies()).hasSize(1000);
    }

    @Test
    void policyWithMoreFailureDetailsThanTheLimitIsRejected() {
        assertThatThrownBy(() -> InboundReportParser.parse(BigReports.json("Big Sender", "r1", "2024-03-01", 2, 1001)))
                .isInstanceOfSatisfying(ReportLimitException.class,
                        e -> assertThat(e.limit()).isEqualTo("failure_details"))
                .hasMessage("policies[0].failure-details: 1001 entries exceed the limit of 1000");
    }

    @Test
    void overlongStringIsRejectedNamingItsKey() {
        String org = "x".repeat(ReportLimits.DEFAULT.maxStringLength() + 1);

        assertThatThrownBy(() -> InboundReportParser.parse(BigReports.json(org, "r1", "2024-03-01", 1, 1)))
                .isInstanceOfSatisfying(ReportLimitException.class, e -> assertThat(e.limit()).isEqualTo("string_length"))
                .hasMessage("organization-name: a string of 1025 characters exceeds the limit of 1024");
    }

    @Test
    void overlongFailureFieldIsRejectedNamingItsPath() {
        String json = new String(BigReports.json("Org", "r1", "2024-03-01", 1, 1), StandardCharsets.UTF_8)
                .replace("\"mx.d0.example\"", "\"" + "m".repeat(5000) + "\"");

        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(ReportLimitException.class)
                .hasMessage("policies[0].failure-details[0].receiving-mx-hostname: a string of 5000 characters exceeds"
                        + " the limit of 1024");
    }

    @Test
    void tooManyMxHostsAreRejected() {
        String hosts = "\"mx.example.com\",".repeat(201);
        String json = new String(BigReports.json("Org", "r1", "2024-03-01", 1, 0), StandardCharsets.UTF_8)
                .replace("\"policy-string\":", "\"mx-host\":[" + hosts.substring(0, hosts.length() - 1) + "],"
                        + "\"policy-string\":");

        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(ReportLimitException.class, e -> assertThat(e.limit()).isEqualTo("policy_lines"))
                .hasMessage("policies[0].policy.mx-host: 201 entries exceed the limit of 200");
    }

    @Test
    void reportOverTheByteLimitIsRejectedBeforeParsing() {
        assertThatThrownBy(() -> InboundReportParser.parse(new byte[2000], ReportLimits.DEFAULT.withMaxReportBytes(1000)))
                .isInstanceOfSatisfying(ReportLimitException.class, e -> assertThat(e.limit()).isEqualTo("report_bytes"))
                .hasMessage("report of 2000 bytes exceeds the limit of 1000 bytes");
    }

    @Test
    void invalidJsonIsRejected() {
        assertThatThrownBy(() -> parse("{\"organization-name\": "))
                .isInstanceOf(InvalidReportException.class)
                .hasMessageStartingWith("not valid JSON");
    }
}
