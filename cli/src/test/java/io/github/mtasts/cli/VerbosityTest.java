package io.github.mtasts.cli;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerbosityTest {

    private final Verbosity.Converter converter = new Verbosity.Converter();

    @Test
    void everyPythonLevelNameIsAccepted() {
        assertThat(converter.convert("debug").level()).isEqualTo(Level.DEBUG);
        assertThat(converter.convert("info").level()).isEqualTo(Level.INFO);
        assertThat(converter.convert("warn").level()).isEqualTo(Level.WARN);
        assertThat(converter.convert("error").level()).isEqualTo(Level.ERROR);
        assertThat(converter.convert("fatal").level()).isEqualTo(Level.ERROR);
        assertThat(converter.convert("crit").level()).isEqualTo(Level.ERROR);
    }

    @Test
    void namesAreCaseSensitiveLikeThePythonTools() {
        assertThatThrownBy(() -> converter.convert("DEBUG"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("'DEBUG' is not a valid level; expected one of debug, info, warn, error, fatal, crit");
        assertThatThrownBy(() -> converter.convert("warning")).isInstanceOf(CommandLine.TypeConversionException.class);
    }
}
