package io.github.mtasts.tlsrpt.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * Builds RFC 8460 §4 reports from a day's aggregates. Members appear in the RFC's order, optional members are
 * left out rather than written as null, and the output depends only on the settings and the input.
 */
public final class ReportBuilder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReporterSettings settings;

    public ReportBuilder(ReporterSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The report-id of the report for {@code day} and {@code policyDomain}: {@code <day>_<policy-domain>@<submitter>},
     * e.g. {@code 2024-09-03_example.com@mail.example.net}. Derived, not random, so a rebuilt or re-delivered report
     * keeps its id and receivers can drop duplicates; the submitter makes it unique across reporters. It is a valid
     * {@code id-left "@" id-right} (RFC 5322 dot-atom-text), as the §5.3 Subject requires, so the Subject and the
     * JSON carry the same id.
     */
    public String reportId(LocalDate day, String policyDomain) {
        return DateTimeFormatter.ISO_LOCAL_DATE.format(day) + "_" + policyDomain + "@" + settings.submitterDomain();
    }

    public TlsRptReport build(DailyReport daily) {
        String day = DateTimeFormatter.ISO_LOCAL_DATE.format(daily.day());
        String reportId = reportId(daily.day(), daily.policyDomain());
        ObjectNode root = JSON.createObjectNode();
        root.put("organization-name", settings.organizationName());
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", day + "T00:00:00Z");
        range.put("end-datetime", day + "T23:59:59Z");
        root.put("contact-info", settings.contactInfo());
        root.put("report-id", reportId);
        ArrayNode policies = root.putArray("policies");
        for (PolicyResult result : daily.policies()) {
            policies.add(policy(daily.policyDomain(), result));
        }
        String json;
        try {
            json = JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers failed to serialize", e);
        }
        return new TlsRptReport(reportId, daily.day(), daily.policyDomain(), settings.submitterDomain(), json);
    }

    private ObjectNode policy(String policyDomain, PolicyResult result) {
        ObjectNode entry = JSON.createObjectNode();
        ObjectNode policy = entry.putObject("policy");
        AppliedPolicy applied = result.policy();
        policy.put("policy-type", applied.type().rfcName());
        if (!applied.policyString().isEmpty()) {
            strings(policy.putArray("policy-string"), applied.policyString());
        }
        policy.put("policy-domain", policyDomain);
        if (!applied.mxHosts().isEmpty()) {
            strings(policy.putArray("mx-host"), applied.mxHosts());
        }
        ObjectNode summary = entry.putObject("summary");
        summary.put("total-successful-session-count", result.successfulSessions());
        summary.put("total-failure-session-count", result.failedSessions());
        if (!result.failureDetails().isEmpty()) {
            ArrayNode details = entry.putArray("failure-details");
            for (FailureDetail detail : result.failureDetails()) {
                details.add(detail(detail));
            }
        }
        return entry;
    }

    private static ObjectNode detail(FailureDetail detail) {
        ObjectNode node = JSON.createObjectNode();
        node.put("result-type", detail.resultType());
        putIfPresent(node, "sending-mta-ip", detail.sendingMtaIp());
        putIfPresent(node, "receiving-mx-hostname", detail.receivingMxHostname());
        putIfPresent(node, "receiving-mx-helo", detail.receivingMxHelo());
        putIfPresent(node, "receiving-ip", detail.receivingIp());
        node.put("failed-session-count", detail.failedSessionCount());
        putIfPresent(node, "additional-information", detail.additionalInformation());
        putIfPresent(node, "failure-reason-code", detail.failureReasonCode());
        return node;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
