package io.github.mtasts.tlsrpt.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.tlsrpt.logs.LogLine;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.ParseResult;
import io.github.mtasts.tlsrpt.logs.RejectReason;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of {@code journalctl -o json} output turned into the {@link LogLine} the syslog text parser would make of
 * the same message, with the entry's cursor. journald's fields: {@code MESSAGE} (a JSON array of byte values when it
 * is not valid UTF-8, {@code null} when longer than journalctl prints), {@code SYSLOG_IDENTIFIER}
 * ({@code postfix/smtp}), {@code _PID} (else {@code SYSLOG_PID}), {@code __REALTIME_TIMESTAMP} (microseconds since
 * the epoch, UTC: no time zone to guess) and {@code _HOSTNAME}. A field journald holds several times is an array of
 * its values; the first is taken. Validation happens here, once: what is wrong is a counted rejection.
 */
public final class JournalJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int maxMessageLength;

    /** @param maxMessageLength longer messages are rejected as oversize, as the text parser rejects long lines */
    public JournalJson(int maxMessageLength) {
        if (maxMessageLength < 1) {
            throw new IllegalArgumentException("maxMessageLength must be positive: " + maxMessageLength);
        }
        this.maxMessageLength = maxMessageLength;
    }

    public JournalJson() {
        this(LogLineParser.DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * One journal entry.
     *
     * @param cursor its {@code __CURSOR}; empty when the line is not a journal entry at all
     * @param result the line, or why it is not counted as one
     */
    public record Entry(Optional<JournalCursor> cursor, ParseResult result) {
        public Entry {
            Objects.requireNonNull(cursor, "cursor");
            Objects.requireNonNull(result, "result");
        }
    }

    public Entry parse(String jsonLine) {
        JsonNode entry;
        try {
            entry = JSON.readTree(jsonLine);
        } catch (JsonProcessingException notJson) {
            return rejected(Optional.empty(), RejectReason.BAD_JOURNAL_ENTRY);
        }
        if (entry == null || !entry.isObject()) {
            return rejected(Optional.empty(), RejectReason.BAD_JOURNAL_ENTRY);
        }
        Optional<JournalCursor> cursor;
        try {
            cursor = text(entry.get("__CURSOR")).map(JournalCursor::parse);
        } catch (IllegalArgumentException badCursor) {
            cursor = Optional.empty();
        }
        if (cursor.isEmpty()) {
            return rejected(cursor, RejectReason.BAD_JOURNAL_ENTRY);
        }
        JsonNode message = first(entry.get("MESSAGE"));
        if (message != null && message.isNull()) {
            // journalctl prints null for a field above its size limit
            return rejected(cursor, RejectReason.OVERSIZE);
        }
        Optional<String> text = text(message);
        if (text.isEmpty() || text.get().isBlank()) {
            return rejected(cursor, RejectReason.EMPTY);
        }
        if (text.get().length() > maxMessageLength) {
            return rejected(cursor, RejectReason.OVERSIZE);
        }
        Optional<Instant> time = text(entry.get("__REALTIME_TIMESTAMP")).flatMap(JournalJson::microseconds);
        if (time.isEmpty()) {
            return rejected(cursor, RejectReason.BAD_TIMESTAMP);
        }
        Optional<String> host = text(entry.get("_HOSTNAME")).filter(h -> !h.isBlank() && h.indexOf(' ') < 0);
        if (host.isEmpty()) {
            return rejected(cursor, RejectReason.MISSING_HOST);
        }
        Optional<String> identifier = text(entry.get("SYSLOG_IDENTIFIER"));
        Optional<Integer> pid = text(entry.get("_PID")).or(() -> text(entry.get("SYSLOG_PID")))
                .flatMap(JournalJson::pid);
        if (identifier.isEmpty() || pid.isEmpty()) {
            return rejected(cursor, RejectReason.MISSING_TAG);
        }
        // as the text parser splits "postfix-out/smtp[123]:": the last path component is the service
        String program = identifier.get();
        int slash = program.lastIndexOf('/');
        String syslogName = slash < 0 ? "" : program.substring(0, slash);
        String service = program.substring(slash + 1);
        if (service.isEmpty() || program.indexOf(' ') >= 0) {
            return rejected(cursor, RejectReason.MISSING_TAG);
        }
        return new Entry(cursor, new ParseResult.Parsed(
                new LogLine(time.get(), host.get(), syslogName, service, pid.get(), text.get())));
    }

    private static Entry rejected(Optional<JournalCursor> cursor, RejectReason reason) {
        return new Entry(cursor, new ParseResult.Rejected(reason));
    }

    /** A field holding several values is an array of them (a byte array is one value). */
    private static JsonNode first(JsonNode field) {
        if (field != null && field.isArray() && !field.isEmpty() && !field.get(0).isNumber()) {
            return field.get(0);
        }
        return field;
    }

    /** A string field, or one given as an array of bytes (not valid UTF-8: invalid bytes are replaced). */
    private static Optional<String> text(JsonNode field) {
        field = first(field);
        if (field == null || field.isNull()) {
            return Optional.empty();
        }
        if (field.isTextual()) {
            return Optional.of(field.textValue());
        }
        if (field.isArray()) {
            byte[] bytes = new byte[field.size()];
            for (int i = 0; i < bytes.length; i++) {
                JsonNode b = field.get(i);
                if (!b.canConvertToInt() || b.intValue() < 0 || b.intValue() > 255) {
                    return Optional.empty();
                }
                bytes[i] = (byte) b.intValue();
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
        return Optional.empty();
    }

    private static Optional<Instant> microseconds(String value) {
        try {
            long micros = Long.parseLong(value);
            if (micros < 0) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Integer> pid(String value) {
        try {
            int pid = Integer.parseInt(value);
            return pid < 0 ? Optional.empty() : Optional.of(pid);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
