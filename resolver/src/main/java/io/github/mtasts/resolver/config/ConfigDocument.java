package io.github.mtasts.resolver.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The one configuration file, read and parsed into a YAML tree once per command. Each section's owner reads its
 * node from here ({@link ConfigLoader} the resolver's keys, the tlsrpt module {@code tlsrpt:}, {@code milter:} and
 * {@code dashboard:}), so the file is read once and no section is parsed twice.
 *
 * @param source names the file in error messages (its path)
 * @param root   the top-level mapping; not to be modified
 */
public record ConfigDocument(String source, ObjectNode root) {

    public ConfigDocument {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(root, "root");
    }

    /** Reads and parses {@code file}; the messages of its errors start with the file's path. */
    public static ConfigDocument read(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    /** Parses configuration text; {@code source} names it in error messages. No I/O. */
    public static ConfigDocument parse(String source, String yaml) throws ConfigException {
        JsonNode document;
        try {
            document = YamlTree.parse(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + syntaxError(e));
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage());
        }
        if (document.isMissingNode() || document.isNull()) {
            document = JsonNodeFactory.instance.objectNode();
        }
        if (!document.isObject()) {
            throw new ConfigException(source + ": expected a mapping of keys at the top level, got "
                    + ConfigSection.describe(document));
        }
        return new ConfigDocument(source, (ObjectNode) document);
    }

    /** No file: every section takes its defaults. */
    public static ConfigDocument empty(String source) {
        return new ConfigDocument(source, JsonNodeFactory.instance.objectNode());
    }

    /** The value of a top-level key; a missing node when absent. */
    public JsonNode get(String key) {
        return root.path(key);
    }

    /** An error at a top-level key: the message names the file and the key. */
    public ConfigException error(String key, String problem) {
        return new ConfigException(source + ": " + key + ": " + problem);
    }

    /** The top-level mapping as a section, for the owner of the top-level keys. */
    ConfigSection rootSection() {
        return ConfigSection.root(source, root);
    }

    /**
     * A top-level section for its owner, read with {@link ConfigSection}'s accessors; absent or null gives an empty
     * one. The top-level key itself belongs to {@link ConfigLoader}, which checks the value is a mapping.
     */
    public ConfigSection section(String key) throws ConfigException {
        return ConfigSection.root(source, root).section(key);
    }

    private static String syntaxError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            return "line " + (yaml.getProblemMark().getLine() + 1) + ", column "
                    + (yaml.getProblemMark().getColumn() + 1) + ": invalid YAML: " + yaml.getProblem();
        }
        String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
        String problem = e.getOriginalMessage();
        if (problem.startsWith("Duplicate field ")) {
            problem = "duplicate key " + problem.substring("Duplicate field ".length());
        }
        return where + "invalid YAML: " + problem;
    }
}
