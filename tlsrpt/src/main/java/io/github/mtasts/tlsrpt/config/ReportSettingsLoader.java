package io.github.mtasts.tlsrpt.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.ConfigSection;
import io.github.mtasts.tlsrpt.delivery.DkimSettings;
import io.github.mtasts.tlsrpt.delivery.MailSettings;
import io.github.mtasts.tlsrpt.delivery.RetryPolicy;
import io.github.mtasts.tlsrpt.delivery.StartTls;
import io.github.mtasts.tlsrpt.report.ReporterSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code tlsrpt.report:} of the configuration file, as part of the {@code tlsrpt:} section:
 * {@link TlsrptConfigLoader} owns the section and hands this class its {@code report} key, so the settings are parsed
 * once and reach the commands in {@link TlsrptConfig#report()}. Durations are seconds. Errors name the file and the
 * key path.
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
    /** Key paths below are relative to the {@code tlsrpt:} section, whose {@link ConfigSection} names them. */
    private static final String SECTION = "report";
    private static final Set<String> KEYS = Set.of("organization_name", "contact_info", "submitter_domain", "from",
            "relay", "dkim", "https_timeout", "delivery_window", "max_attempts", "max_age", "retention_days",
            "late_lines_delay", "only_failures");
    private static final Set<String> RELAY_KEYS = Set.of("host", "port", "starttls", "username", "password",
            "timeout");
    private static final Set<String> DKIM_KEYS = Set.of("domain", "selector", "key_file");

    private ReportSettingsLoader() {
    }

    /** The {@code report} key of the {@code tlsrpt:} section; empty when it has none. No I/O. */
    static Optional<ReportSettings> parse(ConfigSection tlsrpt) throws ConfigException {
        Optional<JsonNode> value = tlsrpt.value(SECTION);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        JsonNode section = value.get();
        Reader r = new Reader(tlsrpt);
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

    /** Typed reads with errors naming the file and the key path below {@code tlsrpt}. */
    private record Reader(ConfigSection tlsrpt) {

        /** {@code path} is {@code report} or a key of it: the unknown-key check of {@link ConfigSection}. */
        void mapping(String path, JsonNode node, Set<String> keys) throws ConfigException {
            if (!node.isObject()) {
                throw error(path, "expected a mapping");
            }
            ConfigSection section = tlsrpt.section(SECTION);
            if (!path.equals(SECTION)) {
                section = section.section(path.substring(SECTION.length() + 1));
            }
            section.rejectKeysOtherThan(keys, "unknown key; expected one of "
                    + String.join(", ", keys.stream().sorted().toList()));
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
            return tlsrpt.error(path, problem);
        }
    }
}
