package io.github.mtasts.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Our log line, {@code %d{yyyy-MM-dd HH:mm:ss} %-5level %logger{0}: %msg%n} and the stack trace of an exception
 * after it, written out rather than given to logback's {@code PatternLayout} as that pattern: the pattern layout
 * loads its whole table of ~100 converter classes, which a daemon then keeps in memory while it runs
 * (docs/BENCHMARKS.md, "Memory: fewer classes").
 */
final class LogLineLayout extends LayoutBase<ILoggingEvent> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private static final int LEVEL_WIDTH = 5;

    /** The converter the pattern layout appends to a pattern that prints no exception itself: the whole trace. */
    private final ThrowableProxyConverter stackTraces = new ThrowableProxyConverter();

    @Override
    public void start() {
        stackTraces.setContext(getContext());
        stackTraces.start();
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        String level = event.getLevel().toString();
        String logger = event.getLoggerName();
        StringBuilder line = new StringBuilder(64 + level.length() + logger.length());
        TIME.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), line);
        line.append(' ').append(level);
        for (int pad = level.length(); pad < LEVEL_WIDTH; pad++) {
            line.append(' ');
        }
        line.append(' ').append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(": ")
                .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            line.append(stackTraces.convert(event));
        }
        return line.toString();
    }
}
