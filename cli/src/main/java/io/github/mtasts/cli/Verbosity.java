package io.github.mtasts.cli;

import ch.qos.logback.classic.Level;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The {@code -v/--verbosity} levels, spelt as postfix-mta-sts-resolver's commands accept them. */
public enum Verbosity {
    DEBUG("debug", Level.DEBUG),
    INFO("info", Level.INFO),
    WARN("warn", Level.WARN),
    ERROR("error", Level.ERROR),
    // Python's two levels above error; logback has none, so both show errors only
    FATAL("fatal", Level.ERROR),
    CRIT("crit", Level.ERROR);

    private final String optionValue;
    private final Level level;

    Verbosity(String optionValue, Level level) {
        this.optionValue = optionValue;
        this.level = level;
    }

    public Level level() {
        return level;
    }

    @Override
    public String toString() {
        return optionValue;
    }

    static String choices() {
        return Arrays.stream(values()).map(Verbosity::toString).collect(Collectors.joining(", "));
    }

    /** Case-sensitive, like the Python tools. */
    static final class Converter implements CommandLine.ITypeConverter<Verbosity> {
        @Override
        public Verbosity convert(String value) {
            for (Verbosity v : values()) {
                if (v.optionValue.equals(value)) {
                    return v;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a valid level; expected one of " + choices());
        }
    }
}
