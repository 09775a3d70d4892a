package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.tlsrpt.logs.SourceId;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code tlsrpt.sources} entry {@code journald:UNIT[,UNIT...]} (e.g. {@code journald:postfix*}): the systemd
 * journal of those units, read from a {@code journalctl -o json} child process that starts where the stored
 * offset says, so a restart neither loses nor repeats a count. Only builds and starts the process; reading is
 * {@code Ingest#importJournal}'s.
 *
 * @param units unit names or glob patterns, as {@code journalctl --unit} takes them
 */
public record JournalctlSource(List<String> units) {
    public static final String PREFIX = "journald:";

    public JournalctlSource {
        units = List.copyOf(units);
        if (units.isEmpty()) {
            throw new IllegalArgumentException("journald: source names no unit, e.g. journald:postfix*");
        }
        for (String unit : units) {
            if (unit.isBlank() || unit.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                throw new IllegalArgumentException("journald: source has an invalid unit name: \"" + unit + "\"");
            }
        }
    }

    public static boolean isJournal(String source) {
        return source.startsWith(PREFIX);
    }

    /** Parses {@code journald:UNIT[,UNIT...]}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static JournalctlSource parse(String source) {
        if (!isJournal(source)) {
            throw new IllegalArgumentException("not a journald: source: " + source);
        }
        String list = source.substring(PREFIX.length());
        return new JournalctlSource(list.isEmpty() ? List.of() : List.of(list.split(",", -1)));
    }

    /** The identity its cursor is stored under: the units, as configured. */
    public SourceId id() {
        return new SourceId("journal:" + String.join(",", units));
    }

    /**
     * The {@code journalctl} command line. With no stored position it reads all the journal holds for the units
     * (as a log file is read from its start). With one, it starts after the stored cursor, or, when connections were
     * still open at the last commit, at the second the oldest of them began ({@code replayMicros}), so that their
     * first lines rebuild their state; entries up to the cursor are then not counted again.
     *
     * @param cursor       the stored cursor, empty for none
     * @param replayMicros the stored replay time in microseconds since the epoch
     * @param committedMicros the stored time of the cursor's entry
     * @param follow       keep reading as the journal grows
     */
    public List<String> command(String cursor, long replayMicros, long committedMicros, boolean follow) {
        Objects.requireNonNull(cursor, "cursor");
        List<String> command = new ArrayList<>(List.of("journalctl", "--output=json", "--no-pager"));
        for (String unit : units) {
            command.add("--unit=" + unit);
        }
        if (cursor.isEmpty()) {
            command.add("--lines=all");
        } else if (replayMicros < committedMicros) {
            command.add("--since=@" + replayMicros / 1_000_000);
        } else {
            command.add("--after-cursor=" + cursor);
        }
        if (follow) {
            command.add("--follow");
        }
        return command;
    }

    /** Starts {@code command}; its standard error goes to ours, its standard input is closed. */
    public static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }
}
