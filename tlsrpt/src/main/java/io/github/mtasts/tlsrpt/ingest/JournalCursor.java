package io.github.mtasts.tlsrpt.ingest;

import java.util.Objects;

/**
 * A systemd journal cursor ({@code __CURSOR}, e.g. {@code s=7a1b...;i=4ece7;b=6c7c...;m=44a7a3d1;t=5c8d0c5b8b4b0;
 * x=b4ec...}), ordered the way {@code journalctl} orders entries: by sequence number within one sequence number
 * id (one journald instance's files), else by monotonic time within one boot, else by wall-clock time.
 *
 * @param text      the cursor as journald wrote it: what {@code --after-cursor} takes back
 * @param seqnumId  {@code s}
 * @param seqnum    {@code i}
 * @param bootId    {@code b}
 * @param monotonic {@code m}, microseconds since boot
 * @param realtime  {@code t}, microseconds since the epoch
 */
public record JournalCursor(String text, String seqnumId, long seqnum, String bootId, long monotonic, long realtime) {
    public JournalCursor {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(seqnumId, "seqnumId");
        Objects.requireNonNull(bootId, "bootId");
    }

    /** Parses a cursor; throws {@link IllegalArgumentException} naming what is missing or malformed. */
    public static JournalCursor parse(String text) {
        String seqnumId = null;
        String bootId = null;
        Long seqnum = null;
        Long monotonic = null;
        Long realtime = null;
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("journal cursor part without a name: \"" + part + "\"");
            }
            String value = part.substring(eq + 1);
            switch (part.substring(0, eq)) {
                case "s" -> seqnumId = value;
                case "i" -> seqnum = hex(value, "i", text);
                case "b" -> bootId = value;
                case "m" -> monotonic = hex(value, "m", text);
                case "t" -> realtime = hex(value, "t", text);
                default -> {
                    // x= (a hash) and any later addition: not needed to order entries
                }
            }
        }
        if (seqnumId == null || seqnum == null || bootId == null || monotonic == null || realtime == null) {
            throw new IllegalArgumentException("journal cursor needs s, i, b, m and t: \"" + text + "\"");
        }
        return new JournalCursor(text, seqnumId, seqnum, bootId, monotonic, realtime);
    }

    private static long hex(String value, String name, String cursor) {
        try {
            return Long.parseUnsignedLong(value, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("journal cursor " + name + "=" + value + " is not hexadecimal: \""
                    + cursor + "\"", e);
        }
    }

    /** Whether the entry at this cursor comes after the one at {@code other} in the journal. */
    public boolean isAfter(JournalCursor other) {
        if (seqnumId.equals(other.seqnumId)) {
            return Long.compareUnsigned(seqnum, other.seqnum) > 0;
        }
        if (bootId.equals(other.bootId)) {
            return Long.compareUnsigned(monotonic, other.monotonic) > 0;
        }
        return Long.compareUnsigned(realtime, other.realtime) > 0;
    }
}
