package io.github.mtasts.tlsrpt.dashboard;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * The UTC days a dashboard view covers, today included: one of {@link #CHOICES} days, so that every query is bounded
 * by at most 90 days whatever a URL asks for.
 */
public record Window(int days, LocalDate first, LocalDate last) {

    /** The ranges a view offers ({@code ?days=}). */
    public static final List<Integer> CHOICES = List.of(1, 7, 30, 90);
    public static final int DEFAULT_DAYS = 30;

    public Window {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
        if (!CHOICES.contains(days) || !first.plusDays(days - 1).equals(last)) {
            throw new IllegalArgumentException("a window is one of " + CHOICES + " days, got " + days + ": " + first
                    + " to " + last);
        }
    }

    /** The {@code days} UTC days ending with {@code today}. */
    public static Window ending(LocalDate today, int days) {
        return new Window(days, today.minusDays(days - 1L), today);
    }

    /** Every day of the window, oldest first. */
    public List<LocalDate> dayList() {
        return first.datesUntil(last.plusDays(1)).toList();
    }
}
