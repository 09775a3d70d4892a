package io.github.mtasts.tlsrpt.logs;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Parses one syslog line into a {@link LogLine}: a timestamp, the host, the {@code program[pid]:} tag and the
 * message. Pure and thread-safe; never throws on any input.
 *
 * <p>Timestamps understood:
 * <ul>
 *   <li>classic BSD syslog and Postfix's own {@code maillog_file} ({@code Nov 29 01:37:57}, {@code Feb  1 ...},
 *       optionally with a fraction of a second): local time in the configured zone, year inferred from the
 *       reference clock;</li>
 *   <li>RFC 3339 as written by rsyslog ({@code 2026-11-29T01:37:57.123456+01:00}) and by
 *       {@code journalctl -o short-iso} / {@code short-iso-precise} ({@code +0100}); without an offset the
 *       configured zone applies.</li>
 * </ul>
 * Scanning is by hand (no regular expressions) because every log line passes here.
 */
public final class LogLineParser {
    /** Lines longer than this are rejected as {@link RejectReason#OVERSIZE} unread. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 16 * 1024;

    /**
     * A classic timestamp is placed in the latest year that does not put it more than this far after the
     * reference clock: a December line read in January is last year's, a line a little "in the future"
     * (clock skew between hosts) stays in this year.
     */
    static final Duration FUTURE_TOLERANCE = Duration.ofDays(2);

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
    private static final Map<RejectReason, ParseResult.Rejected> REJECTIONS = new EnumMap<>(RejectReason.class);

    static {
        for (RejectReason reason : RejectReason.values()) {
            REJECTIONS.put(reason, new ParseResult.Rejected(reason));
        }
    }

    private final ZoneId zone;
    private final Clock clock;
    private final int maxLineLength;

    public LogLineParser(ZoneId zone, Clock clock, int maxLineLength) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxLineLength < 1) {
            throw new IllegalArgumentException("maxLineLength must be positive: " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
    }

    public LogLineParser(ZoneId zone, Clock clock) {
        this(zone, clock, DEFAULT_MAX_LINE_LENGTH);
    }

    public ParseResult parse(String line) {
        if (line.length() > maxLineLength) {
            return REJECTIONS.get(RejectReason.OVERSIZE);
        }
        if (line.isBlank()) {
            return REJECTIONS.get(RejectReason.EMPTY);
        }
        Cursor cursor = new Cursor();
        Instant time = parseTimestamp(line, cursor);
        if (time == null) {
            return REJECTIONS.get(RejectReason.BAD_TIMESTAMP);
        }
        int n = line.length();
        int pos = skipSpaces(line, cursor.pos);
        int hostEnd = line.indexOf(' ', pos);
        if (hostEnd <= pos) {
            return REJECTIONS.get(RejectReason.MISSING_HOST);
        }
        String host = line.substring(pos, hostEnd);
        pos = skipSpaces(line, hostEnd);
        // Tag: program[pid]: with program free of spaces and brackets.
        int open = pos;
        while (open < n && line.charAt(open) != '[' && line.charAt(open) != ' ') {
            open++;
        }
        if (open == pos || open >= n || line.charAt(open) != '[') {
            return REJECTIONS.get(RejectReason.MISSING_TAG);
        }
        int digits = open + 1;
        int pid = 0;
        // At most nine digits: every real pid fits and the int cannot overflow.
        while (digits < n && isDigit(line.charAt(digits)) && digits - open <= 9) {
            pid = pid * 10 + (line.charAt(digits) - '0');
            digits++;
        }
        if (digits == open + 1 || digits + 1 >= n || line.charAt(digits) != ']' || line.charAt(digits + 1) != ':') {
            return REJECTIONS.get(RejectReason.MISSING_TAG);
        }
        int slash = line.lastIndexOf('/', open - 1);
        String syslogName = slash < pos ? "" : line.substring(pos, slash);
        String service = line.substring(slash < pos ? pos : slash + 1, open);
        if (service.isEmpty()) {
            return REJECTIONS.get(RejectReason.MISSING_TAG);
        }
        int messageStart = digits + 2;
        if (messageStart < n && line.charAt(messageStart) == ' ') {
            messageStart++;
        }
        return new ParseResult.Parsed(
                new LogLine(time, host, syslogName, service, pid, line.substring(messageStart)));
    }

    private Instant parseTimestamp(String s, Cursor cursor) {
        if (s.length() >= 4 && isDigit(s.charAt(0))) {
            return parseRfc3339(s, cursor);
        }
        return parseClassic(s, cursor);
    }

    /** {@code Mmm dd HH:MM:SS[.frac]} with the day space- or zero-padded or unpadded. */
    private Instant parseClassic(String s, Cursor cursor) {
        int n = s.length();
        if (n < 15) {
            return null;
        }
        int month = monthIndex(s) + 1;
        if (month == 0 || s.charAt(3) != ' ') {
            return null;
        }
        int pos = skipSpaces(s, 3);
        int day = 0;
        int dayStart = pos;
        while (pos < n && isDigit(s.charAt(pos)) && pos - dayStart < 2) {
            day = day * 10 + (s.charAt(pos) - '0');
            pos++;
        }
        if (pos == dayStart || pos >= n || s.charAt(pos) != ' ') {
            return null;
        }
        pos++;
        if (pos + 8 > n || s.charAt(pos + 2) != ':' || s.charAt(pos + 5) != ':') {
            return null;
        }
        int hour = twoDigits(s, pos);
        int minute = twoDigits(s, pos + 3);
        int second = twoDigits(s, pos + 6);
        pos += 8;
        int nanos = 0;
        if (pos < n && s.charAt(pos) == '.') {
            int fractionStart = ++pos;
            int scale = 100_000_000;
            while (pos < n && isDigit(s.charAt(pos))) {
                nanos += (s.charAt(pos) - '0') * scale;
                scale /= 10;
                pos++;
            }
            if (pos == fractionStart) {
                return null;
            }
        }
        if (hour < 0 || minute < 0 || second < 0 || pos >= n || s.charAt(pos) != ' ') {
            return null;
        }
        cursor.pos = pos;
        return inferYear(month, day, hour, minute, second, nanos);
    }

    private Instant inferYear(int month, int day, int hour, int minute, int second, int nanos) {
        Instant now = clock.instant();
        Instant latestAllowed = now.plus(FUTURE_TOLERANCE);
        int year = LocalDate.ofInstant(now, zone).getYear();
        for (int candidate = year + 1; candidate >= year - 1; candidate--) {
            Instant time = toInstant(candidate, month, day, hour, minute, second, nanos, null);
            if (time != null && !time.isAfter(latestAllowed)) {
                return time;
            }
        }
        // Feb 29 in a run of non-leap years, or an impossible date such as Apr 31.
        return null;
    }

    /** {@code YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|+HHMM]}. */
    private Instant parseRfc3339(String s, Cursor cursor) {
        int n = s.length();
        if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = twoDigits(s, 0) * 100 + twoDigits(s, 2);
        int month = twoDigits(s, 5);
        int day = twoDigits(s, 8);
        int hour = twoDigits(s, 11);
        int minute = twoDigits(s, 14);
        int second = twoDigits(s, 17);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        int pos = 19;
        int nanos = 0;
        if (pos < n && s.charAt(pos) == '.') {
            int fractionStart = ++pos;
            int scale = 100_000_000;
            while (pos < n && isDigit(s.charAt(pos))) {
                nanos += (s.charAt(pos) - '0') * scale;
                scale /= 10;
                pos++;
            }
            if (pos == fractionStart) {
                return null;
            }
        }
        ZoneOffset offset = null;
        if (pos < n && (s.charAt(pos) == 'Z' || s.charAt(pos) == 'z')) {
            offset = ZoneOffset.UTC;
            pos++;
        } else if (pos < n && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
            int sign = s.charAt(pos) == '-' ? -1 : 1;
            if (pos + 5 > n) {
                return null;
            }
            int offsetHours = twoDigits(s, pos + 1);
            int minuteAt = s.charAt(pos + 3) == ':' ? pos + 4 : pos + 3;
            if (minuteAt + 2 > n) {
                return null;
            }
            int offsetMinutes = twoDigits(s, minuteAt);
            if (offsetHours < 0 || offsetHours > 18 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offset = ZoneOffset.ofTotalSeconds(sign * (offsetHours * 3600 + offsetMinutes * 60));
            pos = minuteAt + 2;
        }
        if (pos >= n || s.charAt(pos) != ' ') {
            return null;
        }
        cursor.pos = pos;
        return toInstant(year, month, day, hour, minute, second, nanos, offset);
    }

    private Instant toInstant(int year, int month, int day, int hour, int minute, int second, int nanos,
                              ZoneOffset offset) {
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
            return null;
        }
        try {
            // A leap second (:60) is folded into :59; syslog rarely carries one and the day is what counts.
            LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, Math.min(second, 59), nanos);
            return offset != null ? local.toInstant(offset) : local.atZone(zone).toInstant();
        } catch (DateTimeException impossibleDate) {
            return null;
        }
    }

    private static int monthIndex(String s) {
        for (int i = 0; i < 12; i++) {
            if (s.regionMatches(0, MONTHS, i * 3, 3)) {
                return i;
            }
        }
        return -1;
    }

    /** Two ASCII digits at {@code at} as a number, or -1. */
    private static int twoDigits(String s, int at) {
        char tens = s.charAt(at);
        char ones = s.charAt(at + 1);
        if (!isDigit(tens) || !isDigit(ones)) {
            return -1;
        }
        return (tens - '0') * 10 + (ones - '0');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int skipSpaces(String s, int pos) {
        while (pos < s.length() && s.charAt(pos) == ' ') {
            pos++;
        }
        return pos;
    }

    private static final class Cursor {
        int pos;
    }
}
