package io.github.mtasts.tlsrpt.inbound;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the JSON of a report someone sent us (RFC 8460 §4). Lenient where real senders are sloppy and the
 * meaning is still clear, strict where a figure would become a guess: a report without organisation,
 * report id, date range or policies, or with a count that is not a non-negative integer, is rejected with
 * the key path; everything else that is off becomes a deviation recorded with the report. A report over one of
 * the {@link ReportLimits} is rejected whole, naming the limit and the key. Pure: no I/O.
 */
public final class InboundReportParser {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Set<String> REPORT_KEYS =
            Set.of("organization-name", "date-range", "contact-info", "report-id", "policies");
    private static final Set<String> POLICY_TYPES = Set.of("sts", "tlsa", "no-policy-found");
    // RFC 8460 §4.3 result types
    private static final Set<String> RESULT_TYPES = Set.of("starttls-not-supported", "certificate-host-mismatch",
            "certificate-expired", "certificate-not-trusted", "validation-failure", "tlsa-invalid",
            "dnssec-invalid", "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid");
    /** A reason code is a token such as an OpenSSL or RFC error name; spaces mean a sentence was sent instead. */
    private static final Pattern REASON_CODE = Pattern.compile("[\\p{Alnum}_.:-]+");

    private final ReportLimits limits;

    private InboundReportParser(ReportLimits limits) {
        this.limits = limits;
    }

    /** Parses one report's JSON (already decompressed) within {@link ReportLimits#DEFAULT}. */
    public static InboundReport parse(byte[] json) throws InvalidReportException {
        return parse(json, ReportLimits.DEFAULT);
    }

    /**
     * Parses one report's JSON (already decompressed).
     *
     * @throws ReportLimitException  when the report is over one of {@code limits}
     * @throws InvalidReportException when it is not a report we can read
     */
    public static InboundReport parse(byte[] json, ReportLimits limits) throws InvalidReportException {
        if (json.length > limits.maxReportBytes()) {
            throw new ReportLimitException("report_bytes", "report of " + json.length + " bytes exceeds the limit of "
                    + limits.maxReportBytes() + " bytes");
        }
        InboundReportParser parser = new InboundReportParser(limits);
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidReportException("not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
        } catch (IOException e) {
            throw new InvalidReportException("not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidReportException("expected a JSON object at the top level");
        }
        return parser.report(root);
    }

    private InboundReport report(JsonNode root) throws InvalidReportException {
        List<String> deviations = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!REPORT_KEYS.contains(key)) {
                deviations.add("unknown key \"" + shortened(key) + "\" ignored");
            }
        }
        String organization = requiredText(root, "organization-name", "organization-name");
        String reportId = requiredText(root, "report-id", "report-id");
        JsonNode range = root.get("date-range");
        if (range == null || !range.isObject()) {
            throw new InvalidReportException("date-range: expected an object with start-datetime and end-datetime");
        }
        Instant start = datetime(range, "start-datetime", deviations);
        Instant end = datetime(range, "end-datetime", deviations);
        if (end.isBefore(start)) {
            throw new InvalidReportException("date-range: end-datetime " + end + " is before start-datetime " + start);
        }
        Optional<String> contact = Optional.empty();
        JsonNode contactNode = root.get("contact-info");
        if (contactNode == null || contactNode.isNull()) {
            deviations.add("contact-info is " + (contactNode == null ? "missing" : "null"));
        } else if (!contactNode.isTextual() || contactNode.textValue().isBlank()) {
            deviations.add("contact-info is not a non-empty string; ignored");
        } else {
            contact = Optional.of(checkLength(contactNode.textValue(), "contact-info"));
        }
        JsonNode policiesNode = root.get("policies");
        if (policiesNode == null || !policiesNode.isArray()) {
            throw new InvalidReportException("policies: expected an array");
        }
        if (policiesNode.size() > limits.maxPolicies()) {
            throw new ReportLimitException("policies", "policies: " + policiesNode.size()
                    + " entries exceed the limit of " + limits.maxPolicies());
        }
        List<InboundPolicy> policies = new ArrayList<>();
        for (int i = 0; i < policiesNode.size(); i++) {
            policies.add(policy(policiesNode.get(i), "policies[" + i + "]", deviations));
        }
        return new InboundReport(organization, reportId, start, end, contact, policies, deviations);
    }

    private InboundPolicy policy(JsonNode entry, String path, List<String> deviations)
            throws InvalidReportException {
        if (!entry.isObject()) {
            throw new InvalidReportException(path + ": expected an object");
        }
        JsonNode policy = entry.get("policy");
        if (policy == null || !policy.isObject()) {
            throw new InvalidReportException(path + ".policy: expected an object");
        }
        String type = requiredText(policy, "policy-type", path + ".policy.policy-type");
        if (!POLICY_TYPES.contains(type)) {
            deviations.add(path + ".policy.policy-type \"" + type + "\" is not one RFC 8460 §4.3 defines");
        }
        List<String> lines = new ArrayList<>();
        JsonNode policyString = policy.get("policy-string");
        if (policyString != null && !policyString.isNull()) {
            if (!policyString.isArray()) {
                deviations.add(path + ".policy.policy-string is not an array; ignored");
            } else {
                checkEntries(policyString, "policy_lines", limits.maxPolicyLines(), path + ".policy.policy-string");
                boolean carriageReturns = false;
                for (JsonNode line : policyString) {
                    String text = checkLength(line.asText(), path + ".policy.policy-string");
                    String stripped = text.replaceAll("\r+$", "");
                    carriageReturns |= !stripped.equals(text);
                    lines.add(stripped);
                }
                if (carriageReturns) {
                    deviations.add(path + ".policy.policy-string lines end in a stray \\r; removed");
                }
            }
        }
        Optional<String> domain = optionalText(policy, "policy-domain", path + ".policy");
        if (domain.isEmpty()) {
            deviations.add(path + ".policy.policy-domain is missing");
        }
        List<String> mxHosts = new ArrayList<>();
        JsonNode mx = policy.get("mx-host");
        if (mx != null && mx.isArray()) {
            checkEntries(mx, "policy_lines", limits.maxPolicyLines(), path + ".policy.mx-host");
            for (JsonNode host : mx) {
                mxHosts.add(checkLength(host.asText(), path + ".policy.mx-host"));
            }
        } else if (mx != null && mx.isTextual()) {
            deviations.add(path + ".policy.mx-host is a string, not an array");
            mxHosts.add(checkLength(mx.textValue(), path + ".policy.mx-host"));
        }
        JsonNode summary = entry.get("summary");
        long successful = 0;
        long failed = 0;
        if (summary == null || !summary.isObject()) {
            deviations.add(path + ".summary is missing; counts taken as 0");
        } else {
            successful = count(summary, "total-successful-session-count", path + ".summary", deviations);
            failed = count(summary, "total-failure-session-count", path + ".summary", deviations);
        }
        List<InboundFailure> failures = new ArrayList<>();
        JsonNode details = entry.get("failure-details");
        if (details != null && !details.isNull()) {
            if (!details.isArray()) {
                throw new InvalidReportException(path + ".failure-details: expected an array");
            }
            checkEntries(details, "failure_details", limits.maxFailureDetails(), path + ".failure-details");
            for (int i = 0; i < details.size(); i++) {
                failures.add(failure(details.get(i), path + ".failure-details[" + i + "]", deviations));
            }
        }
        long detailed = failures.stream().mapToLong(InboundFailure::failedSessions).sum();
        if (detailed > failed) {
            deviations.add(path + ".failure-details add up to " + detailed
                    + " failed sessions but summary.total-failure-session-count is " + failed);
        }
        return new InboundPolicy(type, lines, domain, mxHosts, successful, failed, failures);
    }

    private InboundFailure failure(JsonNode detail, String path, List<String> deviations)
            throws InvalidReportException {
        if (!detail.isObject()) {
            throw new InvalidReportException(path + ": expected an object");
        }
        String resultType = requiredText(detail, "result-type", path + ".result-type");
        if (!RESULT_TYPES.contains(resultType)) {
            deviations.add(path + ".result-type \"" + resultType + "\" is not one RFC 8460 §4.3 defines");
        }
        JsonNode countNode = detail.get("failed-session-count");
        if (countNode == null || !countNode.isIntegralNumber() || countNode.asLong() < 0 || !countNode.canConvertToLong()) {
            throw new InvalidReportException(path + ".failed-session-count: expected a non-negative integer");
        }
        Optional<String> sendingIp = optionalText(detail, "sending-mta-ip", path);
        if (sendingIp.isEmpty()) {
            deviations.add(path + ".sending-mta-ip is missing");
        }
        Optional<String> reasonCode = optionalText(detail, "failure-reason-code", path);
        if (reasonCode.isPresent() && !REASON_CODE.matcher(reasonCode.get()).matches()) {
            deviations.add(path + ".failure-reason-code is free text, not a code: \"" + reasonCode.get() + "\"");
        }
        return new InboundFailure(resultType, sendingIp, optionalText(detail, "receiving-mx-hostname", path),
                optionalText(detail, "receiving-mx-helo", path), optionalText(detail, "receiving-ip", path),
                countNode.asLong(), optionalText(detail, "additional-information", path), reasonCode);
    }

    /**
     * RFC 8460 §4.4 asks for RFC 3339 date-times, which always carry an offset. Some senders leave it out;
     * reports are about UTC days, so such a time is read as UTC and the deviation recorded.
     */
    private Instant datetime(JsonNode range, String key, List<String> deviations)
            throws InvalidReportException {
        String text = requiredText(range, key, "date-range." + key);
        String iso = text.trim().replace(' ', 'T').toUpperCase();
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException e) {
            try {
                Instant instant = LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
                deviations.add("date-range." + key + " \"" + text + "\" has no time zone; read as UTC");
                return instant;
            } catch (DateTimeParseException notLocal) {
                throw new InvalidReportException("date-range." + key + ": \"" + text + "\" is not an RFC 3339 date-time");
            }
        }
    }

    private long count(JsonNode summary, String key, String path, List<String> deviations)
            throws InvalidReportException {
        JsonNode value = summary.get(key);
        if (value == null || value.isNull()) {
            deviations.add(path + "." + key + " is missing; taken as 0");
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw new InvalidReportException(path + "." + key + ": expected a non-negative integer, got " + value);
        }
        return value.asLong();
    }

    private String requiredText(JsonNode node, String key, String path) throws InvalidReportException {
        JsonNode value = node.get(key);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new InvalidReportException(path + ": expected a non-empty string"
                    + (value == null ? ", missing" : ", got " + shortened(value.toString())));
        }
        return checkLength(value.textValue(), path);
    }

    private Optional<String> optionalText(JsonNode node, String key, String parentPath) throws ReportLimitException {
        JsonNode value = node.get(key);
        if (value == null || value.isNull() || value.asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(checkLength(value.asText(), parentPath + "." + key));
    }

    private String checkLength(String text, String path) throws ReportLimitException {
        if (text.length() > limits.maxStringLength()) {
            throw new ReportLimitException("string_length", path + ": a string of " + text.length()
                    + " characters exceeds the limit of " + limits.maxStringLength());
        }
        return text;
    }

    private static void checkEntries(JsonNode array, String limit, int max, String path) throws ReportLimitException {
        if (array.size() > max) {
            throw new ReportLimitException(limit, path + ": " + array.size() + " entries exceed the limit of " + max);
        }
    }

    /** A key or value quoted in a message or deviation: enough to recognise it, never the whole of a huge one. */
    private static String shortened(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }
}
