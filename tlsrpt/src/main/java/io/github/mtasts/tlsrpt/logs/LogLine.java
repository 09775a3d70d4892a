package io.github.mtasts.tlsrpt.logs;

import java.time.Instant;
import java.util.Objects;

/**
 * One parsed syslog line of a Postfix (or any other) program.
 *
 * @param time       the instant the line was logged
 * @param host       the host name field of the line
 * @param syslogName the program name without its last path component ({@code postfix}, {@code postfix-out},
 *                   {@code postfix/submission}); empty for programs without a slash ({@code sshd})
 * @param service    the last path component of the program name ({@code smtp}, {@code smtpd}, {@code relay})
 * @param pid        the process id in brackets after the program name
 * @param message    everything after {@code "]: "}
 */
public record LogLine(Instant time, String host, String syslogName, String service, int pid, String message) {
    public LogLine {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(syslogName, "syslogName");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(message, "message");
        if (service.isEmpty()) {
            throw new IllegalArgumentException("service must not be empty");
        }
        if (pid < 0) {
            throw new IllegalArgumentException("pid must not be negative: " + pid);
        }
    }

    /** The program name as logged: {@code syslogName/service}, or the service alone. */
    public String program() {
        return syslogName.isEmpty() ? service : syslogName + "/" + service;
    }
}
