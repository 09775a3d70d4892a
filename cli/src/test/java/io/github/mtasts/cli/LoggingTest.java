package io.github.mtasts.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LoggingTest {

    private final Logger log = LoggerFactory.getLogger("io.github.mtasts.test");

    @AfterEach
    void backToStderr() {
        Logging.configure(Verbosity.INFO, Optional.empty());
    }

    @Test
    void logFileReceivesLinesAtOrAboveTheLevel(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mtasts.log");
        Logging.configure(Verbosity.WARN, Optional.of(file));

        log.info("an info line");
        log.warn("a warning line");

        String written = Files.readString(file);
        assertThat(written).contains("WARN  test: a warning line").doesNotContain("an info line");
    }

    @Test
    void debugLevelShowsDebugLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mtasts.log");
        Logging.configure(Verbosity.DEBUG, Optional.of(file));

        log.debug("a debug line");

        assertThat(Files.readString(file)).contains("DEBUG test: a debug line");
    }

    @Test
    void logFileIsAppendedNotTruncated(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("mtasts.log"), "earlier line\n");
        Logging.configure(Verbosity.INFO, Optional.of(file));

        log.info("later line");

        assertThat(Files.readString(file)).startsWith("earlier line\n").contains("later line");
    }

    @Test
    void fatalAndCritShowErrorsOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mtasts.log");
        Logging.configure(Verbosity.CRIT, Optional.of(file));

        log.warn("a warning line");
        log.error("an error line");

        assertThat(Files.readString(file)).contains("an error line").doesNotContain("a warning line");
    }
}
