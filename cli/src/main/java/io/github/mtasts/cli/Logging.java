package io.github.mtasts.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Sets up logback from the command line: everything to stderr (journald adds its own time stamps, but a
 * terminal user wants them too), or appended to {@code -l FILE} as the Python daemon does.
 */
final class Logging {

    private Logging() {
    }

    static void configure(Verbosity verbosity, Optional<Path> logFile) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();

        LayoutWrappingEncoder<ILoggingEvent> encoder = DefaultLogging.encoder(context);

        OutputStreamAppender<ILoggingEvent> appender;
        if (logFile.isPresent()) {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setFile(logFile.get().toString());
            file.setAppend(true);
            appender = file;
        } else {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            appender = console;
        }
        appender.setContext(context);
        appender.setName("main");
        appender.setEncoder(encoder);
        appender.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(verbosity.level());
        root.addAppender(appender);
    }
}
