package io.github.mtasts.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One delivery attempt as the sending Postfix logged it: the {@code status=} line for a recipient and the
 * lines the same smtp process wrote for that attempt (TLS set-up, verification, policy lookup warnings).
 */
public record Delivery(String recipient, String status, String reason, String relay, List<String> sessionLines) {

    private static final Pattern STATUS_LINE = Pattern.compile(
            "/(smtp|error|retry)\\[(\\d+)\\]: [0-9A-F]+: to=<([^>]+)>, relay=([^,]+), .*status=(\\w+) \\((.*)\\)$");

    public Delivery {
        sessionLines = List.copyOf(sessionLines);
    }

    public boolean sent() {
        return status.equals("sent");
    }

    public boolean deferred() {
        return status.equals("deferred");
    }

    /** Whether any line of this attempt contains {@code text}. */
    public boolean logged(String text) {
        return sessionLines.stream().anyMatch(line -> line.contains(text));
    }

    /**
     * The first attempt for {@code recipient} in {@code log}, if one has been logged: its status line and the
     * lines of the same process since that process's previous delivery (an smtp process serves many).
     */
    static Optional<Delivery> firstAttempt(List<String> log, String recipient) {
        for (int i = 0; i < log.size(); i++) {
            Matcher status = STATUS_LINE.matcher(log.get(i));
            if (status.find() && status.group(3).equals(recipient)) {
                String process = "/" + status.group(1) + "[" + status.group(2) + "]: ";
                List<String> lines = new ArrayList<>();
                lines.add(log.get(i));
                for (int j = i - 1; j >= 0 && !isStatusLineOf(log.get(j), process); j--) {
                    if (log.get(j).contains(process)) {
                        lines.add(0, log.get(j));
                    }
                }
                return Optional.of(new Delivery(recipient, status.group(5), status.group(6), status.group(4), lines));
            }
        }
        return Optional.empty();
    }

    private static boolean isStatusLineOf(String line, String process) {
        return line.contains(process) && STATUS_LINE.matcher(line).find();
    }
}
