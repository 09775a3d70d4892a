package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mtasts daemon}, alias {@code mta-sts-daemon}: the options of postfix-mta-sts-resolver's daemon,
 * then the validated configuration goes to a {@link DaemonRunner}.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Serve MTA-STS policies to Postfix over the socketmap protocol (smtp_tls_policy_maps).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped normally", "2:bad command line or configuration"})
public final class DaemonCommand implements Callable<Integer> {

    static final int CONFIG_ERROR = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.INFO);

    @Option(names = {"-p", "--pidfile"}, paramLabel = "FILE", description = "Write the process id to FILE.")
    Path pidFile;

    @Option(names = "--disable-uvloop",
            description = "Accepted for compatibility with mta-sts-daemon; has no effect (there is no uvloop in Java).")
    boolean disableUvloop;

    @Option(names = {"-u", "--user"}, paramLabel = "USER",
            description = "Not supported (a JVM cannot change its user): start mtasts as that user instead,"
                    + " e.g. systemd User= or DynamicUser=.")
    String user;

    @Option(names = {"-g", "--group"}, paramLabel = "GROUP",
            description = "Not supported (a JVM cannot change its group): start mtasts with that group instead,"
                    + " e.g. systemd Group=.")
    String group;

    private final DaemonRunner runner;
    private final List<Path> defaultConfigs;

    public DaemonCommand(DaemonRunner runner) {
        this(runner, ConfigLocation.DEFAULTS);
    }

    DaemonCommand(DaemonRunner runner, List<Path> defaultConfigs) {
        this.runner = runner;
        this.defaultConfigs = List.copyOf(defaultConfigs);
    }

    @Override
    public Integer call() throws Exception {
        if (user != null || group != null) {
            spec.commandLine().getErr().println("mtasts daemon: " + (user != null ? "--user" : "--group")
                    + " is not supported; start mtasts as that user and group (systemd User=, Group= or DynamicUser=)");
            return CONFIG_ERROR;
        }
        logging.apply();
        Logger log = LoggerFactory.getLogger(DaemonCommand.class);

        Optional<Path> file = config.resolve(defaultConfigs);
        Configuration configuration;
        try {
            configuration = ConfigFiles.load(file);
        } catch (ConfigException e) {
            // to stderr as well as the log: a start-up failure must be visible whatever -l says
            spec.commandLine().getErr().println("mtasts daemon: " + e.getMessage());
            log.error("{}", e.getMessage());
            return CONFIG_ERROR;
        }
        log.info("configuration {}", file.map(f -> "loaded from " + f).orElse("built-in defaults (no file found)"));

        if (pidFile != null) {
            try {
                Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                spec.commandLine().getErr().println("mtasts daemon: cannot write pid file " + pidFile + ": " + e);
                return CONFIG_ERROR;
            }
        }
        return runner.run(configuration, file);
    }
}
