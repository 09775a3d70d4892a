package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LogLineLayoutTest {

    /** The pattern our lines had with logback's pattern layout: the lines must not change for those who read them. */
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss} %-5level %logger{0}: %msg%n";
    private static final LoggerContext CONTEXT = new LoggerContext();

    static Stream<ILoggingEvent> events() {
        Logger daemon = CONTEXT.getLogger("io.github.mtasts.resolver.daemon.ResolverDaemon");
        Logger bare = CONTEXT.getLogger("toplevel");
        UncheckedIOException failure = new UncheckedIOException("store gone",
                new IOException("disk full", new IllegalStateException("deep cause")));
        return Stream.of(
                new LoggingEvent("fqcn", daemon, Level.INFO, "answering socketmap requests on {}",
                        null, new Object[] {"/127.0.0.1:8461"}),
                new LoggingEvent("fqcn", daemon, Level.WARN, "a warning, padded to five", null, null),
                new LoggingEvent("fqcn", bare, Level.DEBUG, "a logger name without a package", null, null),
                new LoggingEvent("fqcn", daemon, Level.ERROR, null, null, null),
                new LoggingEvent("fqcn", daemon, Level.ERROR, "policy store write failed for {}", failure,
                        new Object[] {"example.com"}));
    }

    @ParameterizedTest
    @MethodSource("events")
    void writesTheLinesOfTheFormerPattern(ILoggingEvent event) {
        PatternLayout pattern = new PatternLayout();
        pattern.setContext(CONTEXT);
        pattern.setPattern(PATTERN);
        pattern.start();
        LogLineLayout layout = new LogLineLayout();
        layout.setContext(CONTEXT);
        layout.start();

        assertThat(layout.doLayout(event)).isEqualTo(pattern.doLayout(event));
    }
}
