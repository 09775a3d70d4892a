package io.github.mtasts.resolver.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code preload:} list and the {@code preload_file:} it may name (one domain per line, {@code #} starts a
 * comment): policy domains discovered at start and kept fresh though nobody looked them up yet.
 */
final class PreloadConfig {

    private PreloadConfig() {
    }

    /**
     * Reads {@code preload} and {@code preload_file} (the file is read here) of the top-level mapping: normalised,
     * in order, each once. A domain an override answers for is refused: its policy would never be used.
     */
    static List<String> parse(ConfigSection root, PolicyOverrides overrides) throws ConfigException {
        Set<String> domains = new LinkedHashSet<>();
        Optional<JsonNode> list = root.value("preload");
        if (list.isPresent()) {
            if (!list.get().isArray()) {
                throw root.error("preload", "a list of domains", list.get());
            }
            for (int i = 0; i < list.get().size(); i++) {
                JsonNode item = list.get().get(i);
                String key = "preload[" + i + "]";
                if (!item.isTextual()) {
                    throw root.error(key, "a domain", item);
                }
                domains.add(domain(item.textValue(), overrides, problem -> root.error(key, problem)));
            }
        }
        Optional<String> file = root.optionalString("preload_file");
        if (file.isPresent()) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file.get()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw root.error("preload_file", "cannot read " + file.get() + ": " + e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int comment = line.indexOf('#');
                String text = (comment < 0 ? line : line.substring(0, comment)).strip();
                if (!text.isEmpty()) {
                    String where = root.source() + ": preload_file " + file.get() + ": line " + (i + 1) + ": ";
                    domains.add(domain(text, overrides, problem -> new ConfigException(where + problem)));
                }
            }
        }
        return List.copyOf(domains);
    }

    private interface Problem {
        ConfigException at(String problem);
    }

    private static String domain(String text, PolicyOverrides overrides, Problem problem) throws ConfigException {
        String domain;
        try {
            domain = DomainKey.parse(text).domain();
        } catch (InvalidDomainKeyException e) {
            throw problem.at("not a valid policy domain: " + e.getMessage());
        }
        Optional<PolicyOverride> override = overrides.find(domain);
        if (override.isPresent()) {
            throw problem.at(domain + " is answered by the override for " + override.get().pattern() + " ("
                    + override.get().describe() + "), so its policy would never be used");
        }
        return domain;
    }
}
