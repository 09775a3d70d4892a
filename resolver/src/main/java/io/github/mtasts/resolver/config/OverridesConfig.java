package io.github.mtasts.resolver.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverride.Outcome;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code overrides:} section and the {@code overrides_file:} it may name: fixed answers by domain, checked
 * entry by entry at start-up. Both have one syntax, a YAML mapping from a domain (or {@code .parent} for every
 * subdomain) to an outcome:
 * <pre>
 * overrides:
 *   legacy.example: none                   # NOTFOUND: Postfix's smtp_tls_security_level applies
 *   .dane.example: dane-only
 *   partner.example: {secure: {match: [mx1.example.com, .example.net]}}
 * </pre>
 * The same domain written twice (in another case, with a trailing dot, or once in each place) must give the same
 * answer; any other contradiction, an empty match list or an invalid name stops start-up naming the key.
 */
final class OverridesConfig {

    private static final String OUTCOMES =
            "none, may, encrypt, dane, dane-only or {secure: {match: [host or .parent, ...]}}";

    /** An entry with the key path that gave it, to name both in a contradiction. */
    private record Entry(PolicyOverride override, String keyPath) {
    }

    private OverridesConfig() {
    }

    /** Reads {@code overrides} and {@code overrides_file} (the file is read here) of the top-level mapping. */
    static PolicyOverrides parse(ConfigSection root) throws ConfigException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        add(root.section("overrides"), entries);
        Optional<String> file = root.optionalString("overrides_file");
        if (file.isPresent()) {
            add(fileSection(root, Path.of(file.get())), entries);
        }
        return PolicyOverrides.of(entries.values().stream().map(Entry::override).toList());
    }

    private static ConfigSection fileSection(ConfigSection root, Path file) throws ConfigException {
        String source = root.source() + ": overrides_file " + file;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw root.error("overrides_file", "cannot read " + file + ": " + e);
        }
        JsonNode document;
        try {
            document = YamlTree.parse(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": invalid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage());
        }
        if (document.isMissingNode() || document.isNull()) {
            document = JsonNodeFactory.instance.objectNode();
        }
        if (!document.isObject()) {
            throw new ConfigException(source + ": expected a mapping of domains to outcomes, got "
                    + ConfigSection.describe(document));
        }
        return ConfigSection.root(source, (ObjectNode) document);
    }

    private static void add(ConfigSection section, Map<String, Entry> entries) throws ConfigException {
        for (String key : section.keys()) {
            PolicyOverride override = entry(section, key);
            Entry previous = entries.putIfAbsent(override.pattern(), new Entry(override, section.keyPath(key)));
            if (previous != null && !previous.override().equals(override)) {
                throw section.error(key, "the same domain as " + previous.keyPath() + ", which answers "
                        + previous.override().describe() + ", not " + override.describe()
                        + ": one answer per domain");
            }
        }
    }

    private static PolicyOverride entry(ConfigSection section, String key) throws ConfigException {
        String pattern = pattern(section, key, key);
        JsonNode value = section.value(key).orElse(JsonNodeFactory.instance.nullNode());
        if (value.isTextual()) {
            Outcome outcome = Outcome.fromWord(value.textValue())
                    .orElseThrow(() -> section.error(key, OUTCOMES, value));
            if (outcome == Outcome.SECURE) {
                throw section.error(key, "secure needs its match patterns: {secure: {match: [mx1.example.com,"
                        + " .example.net]}}");
            }
            return new PolicyOverride(pattern, outcome, List.of());
        }
        if (!value.isObject() || value.size() != 1 || !value.has("secure")) {
            throw section.error(key, OUTCOMES, value);
        }
        ConfigSection secure = section.section(key).section("secure");
        Optional<JsonNode> match = secure.value("match");
        secure.rejectUnknownKeys();
        if (match.isEmpty() || !match.get().isArray() || match.get().isEmpty()) {
            throw secure.error("match", "a non-empty list of MX host names or .parent domains",
                    match.orElse(JsonNodeFactory.instance.nullNode()));
        }
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < match.get().size(); i++) {
            JsonNode item = match.get().get(i);
            String itemKey = "match[" + i + "]";
            if (!item.isTextual()) {
                throw secure.error(itemKey, "an MX host name or .parent domain", item);
            }
            patterns.add(pattern(secure, itemKey, item.textValue()));
        }
        return new PolicyOverride(pattern, Outcome.SECURE, patterns);
    }

    /** A domain or {@code .parent}, normalised as the socketmap normalises keys. */
    private static String pattern(ConfigSection section, String key, String text) throws ConfigException {
        if (text.startsWith("*.")) {
            throw section.error(key, "write " + text.substring(1) + " for every subdomain, as Postfix tables do");
        }
        boolean parent = text.startsWith(".");
        try {
            return (parent ? "." : "") + DomainKey.parse(parent ? text.substring(1) : text).domain();
        } catch (InvalidDomainKeyException e) {
            throw section.error(key, "not a valid domain: " + e.getMessage());
        }
    }
}
