package io.github.mtasts.tlsrpt.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a report against the RFC 8460 §4.4 JSON schema (required members, types, date-time format, no nulls, no
 * unknown members) and, separately, against the members parsedmarc reads without a default. Each returns the list
 * of violations, empty when the report conforms.
 */
public final class Rfc8460Json {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** RFC 3339 §5.6 date-time; java.time alone would also accept a time without seconds. */
    private static final Pattern DATE_TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");
    private static final Set<String> POLICY_TYPES = Set.of("tlsa", "sts", "no-policy-found");
    /** RFC 8460 §4.3 result types, written out here so the check does not trust the code it checks. */
    public static final Set<String> RESULT_TYPES = Set.of("starttls-not-supported", "certificate-host-mismatch",
            "certificate-expired", "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
            "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid");

    private Rfc8460Json() {
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> schemaViolations(JsonNode report) {
        List<String> errors = new ArrayList<>();
        if (!report.isObject()) {
            errors.add("report is not an object");
            return errors;
        }
        members(errors, "", report, Set.of("organization-name", "date-range", "contact-info", "report-id", "policies"),
                Set.of());
        string(errors, report, "organization-name");
        string(errors, report, "contact-info");
        string(errors, report, "report-id");
        JsonNode range = report.get("date-range");
        if (range != null && range.isObject()) {
            members(errors, "date-range.", range, Set.of("start-datetime", "end-datetime"), Set.of());
            OffsetDateTime start = dateTime(errors, range, "start-datetime");
            OffsetDateTime end = dateTime(errors, range, "end-datetime");
            if (start != null && end != null && !start.isBefore(end)) {
                errors.add("date-range: start-datetime is not before end-datetime");
            }
        } else {
            errors.add("date-range is not an object");
        }
        JsonNode policies = report.get("policies");
        if (policies == null || !policies.isArray() || policies.isEmpty()) {
            errors.add("policies is not a non-empty array");
            return errors;
        }
        for (int i = 0; i < policies.size(); i++) {
            policyEntry(errors, "policies[" + i + "].", policies.get(i));
        }
        return errors;
    }

    private static void policyEntry(List<String> errors, String path, JsonNode entry) {
        if (!entry.isObject()) {
            errors.add(path + " is not an object");
            return;
        }
        members(errors, path, entry, Set.of("policy", "summary"), Set.of("failure-details"));
        JsonNode policy = entry.path("policy");
        if (policy.isObject()) {
            members(errors, path + "policy.", policy, Set.of("policy-type", "policy-domain"),
                    Set.of("policy-string", "mx-host"));
            String type = string(errors, policy, "policy-type");
            if (type != null && !POLICY_TYPES.contains(type)) {
                errors.add(path + "policy.policy-type \"" + type + "\" is not one of " + POLICY_TYPES);
            }
            string(errors, policy, "policy-domain");
            stringArray(errors, path + "policy.", policy, "policy-string");
            stringArray(errors, path + "policy.", policy, "mx-host");
        }
        JsonNode summary = entry.path("summary");
        if (summary.isObject()) {
            members(errors, path + "summary.", summary,
                    Set.of("total-successful-session-count", "total-failure-session-count"), Set.of());
            count(errors, path + "summary.", summary, "total-successful-session-count");
            count(errors, path + "summary.", summary, "total-failure-session-count");
        }
        JsonNode details = entry.get("failure-details");
        if (details != null) {
            if (!details.isArray()) {
                errors.add(path + "failure-details is not an array");
                return;
            }
            for (int i = 0; i < details.size(); i++) {
                String at = path + "failure-details[" + i + "].";
                JsonNode detail = details.get(i);
                members(errors, at, detail, Set.of("result-type", "failed-session-count"),
                        Set.of("sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip",
                                "additional-information", "failure-reason-code"));
                String type = string(errors, detail, "result-type");
                if (type != null && !RESULT_TYPES.contains(type)) {
                    errors.add(at + "result-type \"" + type + "\" is not registered");
                }
                count(errors, at, detail, "failed-session-count");
                for (String optional : List.of("sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo",
                        "receiving-ip", "additional-information", "failure-reason-code")) {
                    if (detail.has(optional)) {
                        string(errors, detail, optional);
                    }
                }
            }
        }
    }

    /** The members parsedmarc's SMTP TLS report parser reads without a default. */
    public static List<String> parsedmarcViolations(JsonNode report) {
        List<String> errors = new ArrayList<>();
        for (String member : List.of("organization-name", "contact-info", "report-id")) {
            if (!report.path(member).isTextual()) {
                errors.add("parsedmarc needs string " + member);
            }
        }
        for (String member : List.of("start-datetime", "end-datetime")) {
            if (!report.path("date-range").path(member).isTextual()) {
                errors.add("parsedmarc needs date-range." + member);
            }
        }
        if (!report.path("policies").isArray()) {
            errors.add("parsedmarc needs the policies array");
            return errors;
        }
        for (JsonNode entry : report.path("policies")) {
            for (String member : List.of("policy-domain", "policy-type")) {
                if (!entry.path("policy").path(member).isTextual()) {
                    errors.add("parsedmarc needs policy." + member);
                }
            }
            for (String member : List.of("total-successful-session-count", "total-failure-session-count")) {
                if (!entry.path("summary").path(member).isIntegralNumber()) {
                    errors.add("parsedmarc needs summary." + member);
                }
            }
            for (JsonNode detail : entry.path("failure-details")) {
                if (!detail.path("result-type").isTextual()) {
                    errors.add("parsedmarc needs failure-details[].result-type");
                }
                if (!detail.path("failed-session-count").isIntegralNumber()) {
                    errors.add("parsedmarc needs failure-details[].failed-session-count");
                }
            }
        }
        return errors;
    }

    private static void members(List<String> errors, String path, JsonNode object, Set<String> required,
            Set<String> optional) {
        for (String member : required) {
            if (!object.has(member)) {
                errors.add(path + member + " is missing");
            }
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (field.getValue().isNull()) {
                errors.add(path + field.getKey() + " is null (an absent optional member must be left out)");
            }
            if (!required.contains(field.getKey()) && !optional.contains(field.getKey())) {
                errors.add(path + field.getKey() + " is not an RFC 8460 member");
            }
        }
    }

    private static String string(List<String> errors, JsonNode object, String member) {
        JsonNode value = object.get(member);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            errors.add(member + " is not a string");
            return null;
        }
        return value.asText();
    }

    private static void stringArray(List<String> errors, String path, JsonNode object, String member) {
        JsonNode value = object.get(member);
        if (value == null) {
            return;
        }
        if (!value.isArray()) {
            errors.add(path + member + " is not an array");
            return;
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                errors.add(path + member + " has a non-string item");
            }
        }
    }

    private static void count(List<String> errors, String path, JsonNode object, String member) {
        JsonNode value = object.get(member);
        if (value != null && (!value.isIntegralNumber() || value.asLong() < 0)) {
            errors.add(path + member + " is not a non-negative integer");
        }
    }

    /** RFC 3339 date-time (the schema's "format": "date-time"). */
    private static OffsetDateTime dateTime(List<String> errors, JsonNode range, String member) {
        String text = string(errors, range, member);
        if (text == null) {
            return null;
        }
        try {
            if (!DATE_TIME.matcher(text).matches()) {
                throw new DateTimeParseException("not RFC 3339", text, 0);
            }
            return OffsetDateTime.parse(text.toUpperCase(java.util.Locale.ROOT));
        } catch (DateTimeParseException e) {
            errors.add("date-range." + member + " \"" + text + "\" is not an RFC 3339 date-time");
            return null;
        }
    }
}
