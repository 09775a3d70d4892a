package io.github.mtasts.resolver.check;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a {@link CheckReport} as a table for people or as JSON for monitoring; both carry the same data. */
public final class CheckRenderer {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String RESET = "\u001b[0m";

    private CheckRenderer() {
    }

    /**
     * One row per item (status, section, subject, reason) and the verdict line; ANSI colours on the status only when
     * {@code colour} (the caller decides: a terminal, not a pipe).
     */
    public static String table(CheckReport report, boolean colour) {
        int sectionWidth = "ITEM".length();
        int subjectWidth = "SUBJECT".length();
        for (CheckItem item : report.items()) {
            sectionWidth = Math.max(sectionWidth, item.section().label().length());
            subjectWidth = Math.max(subjectWidth, item.subject().length());
        }
        String row = " %-" + sectionWidth + "s %-" + subjectWidth + "s %s%n";
        StringBuilder out = new StringBuilder("MTA-STS check of ").append(report.domain()).append(System.lineSeparator());
        out.append("STATUS").append(String.format(row, "ITEM", "SUBJECT", "REASON"));
        for (CheckItem item : report.items()) {
            String status = String.format("%-6s", item.status().name());
            out.append(colour ? paint(item.status(), status) : status)
                    .append(String.format(row, item.section().label(), item.subject(), item.reason()));
        }
        out.append("VERDICT: ").append(report.verdict().text()).append(System.lineSeparator());
        return out.toString();
    }

    /** The report as a JSON object: domain, items (section, subject, status, reason), verdict, exit_code. */
    public static String json(CheckReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("domain", report.domain());
        ArrayNode items = root.putArray("items");
        for (CheckItem item : report.items()) {
            items.addObject()
                    .put("section", item.section().label())
                    .put("subject", item.subject())
                    .put("status", item.status().name())
                    .put("reason", item.reason());
        }
        root.putObject("verdict")
                .put("safe_to_enforce", report.verdict().safeToEnforce())
                .put("text", report.verdict().text());
        root.put("exit_code", report.exitCode());
        try {
            return JSON.writeValueAsString(root) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }

    private static String paint(CheckStatus status, String text) {
        String code = switch (status) {
            case OK -> "\u001b[32m";
            case WARN -> "\u001b[33m";
            case FAIL -> "\u001b[31m";
        };
        return code + text + RESET;
    }
}
