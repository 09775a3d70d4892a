package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A store's view of a day through the commands a user runs: {@code mtasts tlsrpt report} (the RFC 8460 reports, by
 * policy domain) and {@code mtasts tlsrpt status --json} (the session counts).
 */
final class TlsrptReports {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TlsrptReports() {
    }

    /** Sessions the store of {@code config} counted on {@code day}, successful and failed, over every policy. */
    static long sessions(Path config, LocalDate day) {
        Commands.Result status = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "status", "--json", "--day",
                day.toString(), "-c", config.toString());
        if (status.exitCode() != 0 && status.stderr().contains("no database yet")) {
            // the collector creates its store at its first commit
            return 0;
        }
        assertThat(status.exitCode()).as(status.describe()).isZero();
        try {
            long total = 0;
            for (JsonNode policy : JSON.readTree(status.stdout()).path("policies")) {
                total += policy.path("successful_sessions").asLong() + policy.path("failed_sessions").asLong();
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The reports of {@code day} that {@code tlsrpt report} builds from the store of {@code config}: each report's
     * {@code policies}, failure details in a fixed order, by policy domain.
     */
    static Map<String, JsonNode> policies(Path config, LocalDate day, Path out) {
        Commands.Result report = Commands.mtasts(List.of(), Map.of(), "tlsrpt", "report", "--day", day.toString(),
                "--out", out.toString(), "-c", config.toString());
        assertThat(report.exitCode()).as(report.describe()).isZero();
        Map<String, JsonNode> byDomain = new TreeMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                // sender.test!POLICY-DOMAIN!begin!end!id.json
                String domain = file.getFileName().toString().split("!")[1];
                JsonNode json = JSON.readTree(file.toFile());
                assertThat(byDomain.put(domain, sorted(json.get("policies")))).as("one report about " + domain)
                        .isNull();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byDomain;
    }

    /** {@code policies} with each policy's failure details sorted, so that two stores' reports compare equal. */
    private static JsonNode sorted(JsonNode policies) {
        ArrayNode copy = policies.deepCopy();
        for (JsonNode policy : copy) {
            JsonNode details = policy.get("failure-details");
            if (details != null) {
                List<JsonNode> list = new ArrayList<>();
                details.forEach(list::add);
                list.sort(Comparator.comparing(JsonNode::toString));
                ((ObjectNode) policy).putArray("failure-details").addAll(list);
            }
        }
        return copy;
    }

    /** {@code policies} without the fields log ingest cannot know ({@code receiving-mx-helo}: not in the log). */
    static JsonNode withoutHelo(JsonNode policies) {
        ArrayNode copy = policies.deepCopy();
        for (JsonNode policy : copy) {
            for (JsonNode detail : policy.path("failure-details")) {
                ((ObjectNode) detail).remove("receiving-mx-helo");
            }
        }
        return sorted(copy);
    }
}
