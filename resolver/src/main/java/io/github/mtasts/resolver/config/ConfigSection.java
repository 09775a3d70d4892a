package io.github.mtasts.resolver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One YAML mapping of the configuration with its key path, read key by key with typed accessors. Every
 * accessor records the key as known, so {@link #rejectUnknownKeys()} can name a misspelt key and list the
 * ones this mapping accepts. A key whose value is null (written {@code key:} with nothing after it) counts
 * as absent and takes its default. The resolver's {@link ConfigLoader} and the tlsrpt module's loaders read their
 * sections with it, so a key path and an unknown key are reported the same way everywhere.
 */
public final class ConfigSection {

    private final String source;
    private final String path;
    private final ObjectNode node;
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigSection(String source, String path, ObjectNode node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    static ConfigSection root(String source, ObjectNode node) {
        return new ConfigSection(source, "", node);
    }

    /** The file (or text) this mapping was read from, as error messages start. */
    String source() {
        return source;
    }

    public ConfigException error(String key, String problem) {
        return new ConfigException(source + ": " + keyPath(key) + ": " + problem);
    }

    public ConfigException error(String key, String expected, JsonNode got) {
        return error(key, "expected " + expected + ", got " + describe(got));
    }

    public String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public Optional<JsonNode> value(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    /** A nested mapping; absent or null gives an empty one so its keys take their defaults. */
    public ConfigSection section(String key) throws ConfigException {
        Optional<JsonNode> value = value(key);
        if (value.isEmpty()) {
            return new ConfigSection(source, keyPath(key), JsonNodeFactory.instance.objectNode());
        }
        if (!value.get().isObject()) {
            throw error(key, "a mapping", value.get());
        }
        return new ConfigSection(source, keyPath(key), (ObjectNode) value.get());
    }

    /** Every entry of this mapping as a section of its own, in file order (for {@code zones}). */
    public Map<String, ConfigSection> entries() throws ConfigException {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        Map<String, ConfigSection> entries = new LinkedHashMap<>();
        for (String key : keys) {
            entries.put(key, section(key));
        }
        return entries;
    }

    /** The keys of this mapping in file order, each marked known (for maps keyed by user data). */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        known.addAll(keys);
        return keys;
    }

    public boolean bool(String key, boolean defaultValue) throws ConfigException {
        Optional<JsonNode> value = value(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        if (!value.get().isBoolean()) {
            throw error(key, "true or false", value.get());
        }
        return value.get().booleanValue();
    }

    public int integer(String key, int defaultValue, int min, int max) throws ConfigException {
        OptionalInt value = optionalInteger(key, min, max);
        return value.isPresent() ? value.getAsInt() : defaultValue;
    }

    public OptionalInt optionalInteger(String key, int min, int max) throws ConfigException {
        Optional<JsonNode> value = value(key);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        JsonNode v = value.get();
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw error(key, "an integer from " + min + " to " + max, v);
        }
        return OptionalInt.of(v.intValue());
    }

    public double positiveNumber(String key, double defaultValue) throws ConfigException {
        Optional<JsonNode> value = value(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        JsonNode v = value.get();
        if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
            throw error(key, "a positive number", v);
        }
        return v.doubleValue();
    }

    /** Seconds as the Python daemon takes them: an integer or a fraction, more than zero. */
    public Duration positiveSeconds(String key, Duration defaultValue) throws ConfigException {
        return optionalPositiveSeconds(key).orElse(defaultValue);
    }

    /** Positive seconds strictly below {@code limit}; {@code expectedBelow} says why the limit exists. */
    public Duration positiveSecondsBelow(String key, Duration defaultValue, Duration limit, String expectedBelow)
            throws ConfigException {
        Optional<Duration> value = optionalPositiveSeconds(key);
        if (value.isPresent() && value.get().compareTo(limit) >= 0) {
            throw error(key, expectedBelow, value(key).orElseThrow());
        }
        return value.orElse(defaultValue);
    }

    public Optional<Duration> optionalPositiveSeconds(String key) throws ConfigException {
        return seconds(key, 0, false, "a positive number");
    }

    public Duration nonNegativeSeconds(String key, Duration defaultValue) throws ConfigException {
        return seconds(key, 0, true, "a number >= 0").orElse(defaultValue);
    }

    public Duration secondsAtLeast(String key, Duration defaultValue, int min) throws ConfigException {
        return seconds(key, min, true, "a number >= " + min).orElse(defaultValue);
    }

    private Optional<Duration> seconds(String key, double min, boolean minAllowed, String expected)
            throws ConfigException {
        Optional<JsonNode> value = value(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        JsonNode v = value.get();
        boolean valid = v.isNumber() && (minAllowed ? v.doubleValue() >= min : v.doubleValue() > min)
                && v.doubleValue() <= MAX_SECONDS;
        // a positive number below a nanosecond would become a zero duration
        if (!valid || (!minAllowed && seconds(v).isZero())) {
            throw error(key, expected, v);
        }
        return Optional.of(seconds(v));
    }

    public Optional<String> optionalString(String key) throws ConfigException {
        Optional<JsonNode> value = value(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.get().isTextual() || value.get().textValue().isEmpty()) {
            throw error(key, "a non-empty string", value.get());
        }
        return Optional.of(value.get().textValue());
    }

    public String string(String key, String defaultValue) throws ConfigException {
        return optionalString(key).orElse(defaultValue);
    }

    public String requiredString(String key, String why) throws ConfigException {
        return optionalString(key).orElseThrow(() -> error(key, "required " + why));
    }

    /**
     * Fails when {@code key}, which this mapping no longer accepts, is present; the message says where it went.
     * The key is not recorded as known, so it is not offered among the accepted keys.
     */
    public void rejectMovedKey(String key, String movedTo) throws ConfigException {
        if (node.has(key)) {
            throw error(key, "no longer accepted here: " + movedTo);
        }
    }

    /**
     * A list of non-empty strings; absent or null gives an empty list. An element's error names it with its index
     * ({@code key[1]}).
     */
    public List<String> strings(String key) throws ConfigException {
        Optional<JsonNode> list = value(key);
        if (list.isEmpty()) {
            return List.of();
        }
        if (!list.get().isArray()) {
            throw error(key, "expected a list of strings");
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < list.get().size(); i++) {
            JsonNode value = list.get().get(i);
            if (!value.isTextual() || value.textValue().isBlank()) {
                throw error(key + "[" + i + "]", "expected a non-empty string, got " + value);
            }
            values.add(value.textValue());
        }
        return values;
    }

    /**
     * Fails on the first key not in {@code accepted} before any value is read, with {@code problem} as the message;
     * for a section whose keys are a fixed set, listed in the message in an order of its own.
     */
    public void rejectKeysOtherThan(Collection<String> accepted, String problem) throws ConfigException {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!accepted.contains(key)) {
                throw error(key, problem);
            }
        }
        known.addAll(accepted);
    }

    /** Fails on the first key no accessor asked for: a typo must not silently become a default. */
    public void rejectUnknownKeys() throws ConfigException {
        rejectUnknownKeys("");
    }

    public void rejectUnknownKeys(String context) throws ConfigException {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                List<String> expected = new ArrayList<>(known);
                throw error(key, "unknown key" + context + "; expected one of " + String.join(", ", expected));
            }
        }
    }

    /** Ten years: beyond it a number of seconds is a mistake, and Duration arithmetic stays far from overflow. */
    private static final double MAX_SECONDS = 10 * 366 * 86400.0;

    private static Duration seconds(JsonNode v) {
        if (v.isIntegralNumber()) {
            return Duration.ofSeconds(v.longValue());
        }
        return Duration.ofNanos(Math.round(v.doubleValue() * 1e9));
    }

    public static String describe(JsonNode v) {
        if (v == null || v.isNull()) {
            return "nothing";
        }
        if (v.isTextual()) {
            return v.toString();
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        return v.asText();
    }
}
