package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.tlsrpt.config.MilterConfig;
import io.github.mtasts.tlsrpt.inbound.InboundStores;
import io.github.mtasts.tlsrpt.inbound.MilterService;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mtasts milter}: the milter for the receiving Postfix ({@code smtpd_milters = inet:127.0.0.1:8891})
 * that stores the TLSRPT reports other organisations send us. Runs until stopped (SIGTERM).
 */
@Command(name = "milter", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Collect the TLSRPT reports others send us, as a milter for the receiving Postfix.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped normally", "2:bad configuration, store or listen address"})
public final class MilterCommand implements Callable<Integer> {

    static final int STARTUP_ERROR = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Mixin
    LoggingOptions logging = new LoggingOptions(Verbosity.INFO);

    private final List<Path> defaultConfigs;

    public MilterCommand() {
        this(ConfigLocation.DEFAULTS);
    }

    MilterCommand(List<Path> defaultConfigs) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
    }

    @Override
    public Integer call() throws InterruptedException {
        logging.apply();
        Logger log = LoggerFactory.getLogger(MilterCommand.class);
        Configuration configuration;
        try {
            configuration = ConfigFiles.load(config.resolve(defaultConfigs));
        } catch (ConfigException e) {
            return fail(log, e.getMessage());
        }
        MilterConfig milter = configuration.milter();
        CacheConfig store = InboundStores.location(configuration.daemon(), configuration.tlsrpt().store());
        MilterService service;
        try {
            service = MilterService.start(milter, configuration.dashboard().access(),
                    () -> InboundStores.open(store));
        } catch (MilterService.StartException e) {
            return fail(log, e.getMessage());
        }
        log.info("milter listening on {}, storing reports in {}{}", service.milterAddress(),
                InboundStores.describe(store), service.metricsAddress().map(a -> ", metrics on " + a).orElse(""));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            log.info("milter stopped");
            stopped.countDown();
        }, "milter-shutdown"));
        stopped.await();
        return 0;
    }

    private int fail(Logger log, String message) {
        // to stderr as well as the log: a start-up failure must be visible whatever -l says
        spec.commandLine().getErr().println("mtasts milter: " + message);
        log.error("{}", message);
        return STARTUP_ERROR;
    }
}
