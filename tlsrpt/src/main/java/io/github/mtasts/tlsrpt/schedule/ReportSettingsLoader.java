package io.github.mtasts.tlsrpt.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.delivery.DkimSettings;
import io.github.mtasts.tlsrpt.delivery.MailSettings;
import io.github.mtasts.tlsrpt.delivery.RetryPolicy;
import io.github.mtasts.tlsrpt.delivery.StartTls;
import io.github.mtasts.tlsrpt.report.ReporterSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code tlsrpt.report:} of the configuration file. The {@code tlsrpt:} section's loader accepts the key and
 * leaves its contents to this class. Durations are seconds. Errors name the file and the key path.
 * <pre>
 * tlsrpt:
 *   report:
 *     organization_name: Example Inc.      # required
 *     contact_info: tlsrpt@example.net     # required
 *     submitter_domain: mail.example.net   # required
 *     from: tlsrpt-noreply@example.net     # required
 *     relay: {host: localhost, port: 25, starttls: off|opportunistic|required, username: u, password: p,
 *             timeout: 60}
 *     dkim: {domain: example.net, selector: tlsrpt, key_file: /etc/mtasts/dkim.key}
 *     https_timeout: 60
 *     delivery_window: 14400
 *     max_attempts: 10
 *     max_age: 172800
 *     retention_days: 14
 *     late_lines_delay: 3600
 *     only_failures: false
 * </pre>
 */
public final class ReportSettingsLoader {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String SECTION = "tlsrpt.report";
    private static final Set<String> KEYS = Set.of("organization_name", "contact_info", "submitter_domain", "from",
            "relay", "dkim", "https_timeout", "delivery_window", "max_attempts", "max_age", "retention_days",
            "late_lines_delay", "only_failures");
    private static final Set<String> RELAY_KEYS = Set.of("host", "port", "starttls", "username", "password",
            "timeout");
    private static final Set<String> DKIM_KEYS = Set.of("domain", "selector", "key_file");

    private ReportSettingsLoader() {
    }

    /** The section of {@code file}; empty when it has none. */
    public static Optional<ReportSettings> load(Path file) throws ConfigException {
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses the section out of configuration text; {@code source} names it in errors. No I/O. */
    public static Optional<ReportSettings> parse(String source, String yaml) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": invalid YAML: " + e.getOriginalMessage());
        }
        JsonNode tlsrpt = root == null ? null : root.get("tlsrpt");
        JsonNode section = tlsrpt == null || !tlsrpt.isObject() ? null : tlsrpt.get("report");
        if (section == null || section.isNull()) {
            return Optional.empty();
        }
        Reader r = new Reader(source);
        r.mapping(SECTION, section, KEYS);
        JsonNode relay = section.path("relay");
        if (!relay.isMissingNode() && !relay.isNull()) {
            r.mapping(SECTION + ".relay", relay, RELAY_KEYS);
        }
        JsonNode dkimNode = section.path("dkim");
        DkimSettings dkim = null;
        if (!dkimNode.isMissingNode() && !dkimNode.isNull()) {
            r.mapping(SECTION + ".dkim", dkimNode, DKIM_KEYS);
            String key = SECTION + ".dkim";
            try {
                dkim = new DkimSettings(r.required(key + ".domain", dkimNode), r.required(key + ".selector", dkimNode),
                        Path.of(r.required(key + ".key_file", dkimNode)));
            } catch (IllegalArgumentException e) {
                throw r.error(key, e.getMessage());
            }
        }
        ReporterSettings reporter;
        try {
            reporter = new ReporterSettings(r.required(SECTION + ".organization_name", section),
                    r.required(SECTION + ".contact_info", section), r.required(SECTION + ".submitter_domain", section));
        } catch (IllegalArgumentException e) {
            throw r.error(SECTION, e.getMessage());
        }
        StartTls startTls;
        String starttls = r.optional(SECTION + ".relay.starttls", relay, "off");
        try {
            startTls = StartTls.valueOf(starttls.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw r.error(SECTION + ".relay.starttls", "expected off, opportunistic or required, got \"" + starttls
                    + "\"");
        }
        MailSettings mail;
        try {
            mail = new MailSettings(r.optional(SECTION + ".relay.host", relay, MailSettings.DEFAULT_RELAY_HOST),
                    (int) r.integer(SECTION + ".relay.port", relay, MailSettings.DEFAULT_RELAY_PORT, 1, 65535),
                    startTls, r.optional(SECTION + ".relay.username", relay, null),
                    r.optional(SECTION + ".relay.password", relay, null), r.required(SECTION + ".from", section), null,
                    r.seconds(SECTION + ".relay.timeout", relay, MailSettings.DEFAULT_TIMEOUT, 1), dkim);
        } catch (IllegalArgumentException e) {
            throw r.error(SECTION + ".relay", e.getMessage());
        }
        Duration httpsTimeout = r.seconds(SECTION + ".https_timeout", section, ReportSettings.DEFAULT_HTTPS_TIMEOUT, 1);
        Duration window = r.seconds(SECTION + ".delivery_window", section, ReportSettings.DEFAULT_DELIVERY_WINDOW, 0);
        int maxAttempts = (int) r.integer(SECTION + ".max_attempts", section, ReportSettings.DEFAULT_MAX_ATTEMPTS, 1,
                1000);
        Duration maxAge = r.seconds(SECTION + ".max_age", section, ReportSettings.DEFAULT_MAX_AGE, 1);
        int retention = (int) r.integer(SECTION + ".retention_days", section, ReportSettings.DEFAULT_RETENTION_DAYS,
                2, 3660);
        Duration late = r.seconds(SECTION + ".late_lines_delay", section, ReportSettings.DEFAULT_LATE_LINES_DELAY, 0);
        JsonNode onlyFailures = section.path("only_failures");
        if (!onlyFailures.isMissingNode() && !onlyFailures.isNull() && !onlyFailures.isBoolean()) {
            throw r.error(SECTION + ".only_failures", "expected true or false, got " + onlyFailures);
        }
        Duration firstDelay = ReportSettings.FIRST_RETRY_DELAY.compareTo(maxAge) < 0
                ? ReportSettings.FIRST_RETRY_DELAY : maxAge;
        Duration maxDelay = ReportSettings.MAX_RETRY_DELAY.compareTo(maxAge) < 0 ? ReportSettings.MAX_RETRY_DELAY : maxAge;
        RetryPolicy retry = new RetryPolicy(maxAttempts, maxAge, firstDelay, maxDelay);
        return Optional.of(new ReportSettings(reporter, mail, httpsTimeout, window, retry, retention, late,
                onlyFailures.asBoolean(false)));
    }

    /** Typed reads with errors naming {@code source} and the key path. */
    private record Reader(String source) {

        void mapping(String path, JsonNode node, Set<String> keys) throws ConfigException {
            if (!node.isObject()) {
                throw error(path, "expected a mapping");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!keys.contains(key)) {
                    throw error(path + "." + key, "unknown key; expected one of "
                            + String.join(", ", keys.stream().sorted().toList()));
                }
            }
        }

        String required(String path, JsonNode parent) throws ConfigException {
            String value = optional(path, parent, null);
            if (value == null) {
                throw error(path, "required");
            }
            return value;
        }

        String optional(String path, JsonNode parent, String fallback) throws ConfigException {
            JsonNode node = parent.path(path.substring(path.lastIndexOf('.') + 1));
            if (node.isMissingNode() || node.isNull()) {
                return fallback;
            }
            if (!node.isValueNode() || node.asText().isBlank()) {
                throw error(path, "expected a non-empty string, got " + node);
            }
            return node.asText();
        }

        long integer(String path, JsonNode parent, long fallback, long min, long max) throws ConfigException {
            JsonNode node = parent.path(path.substring(path.lastIndexOf('.') + 1));
            if (node.isMissingNode() || node.isNull()) {
                return fallback;
            }
            if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
                throw error(path, "expected an integer from " + min + " to " + max + ", got " + node);
            }
            return node.asLong();
        }

        Duration seconds(String path, JsonNode parent, Duration fallback, long min) throws ConfigException {
            long value = integer(path, parent, fallback.toSeconds(), min, 366L * 86_400);
            return Duration.ofSeconds(value);
        }

        ConfigException error(String path, String problem) {
            return new ConfigException(source + ": " + path + ": " + problem);
        }
    }
}
