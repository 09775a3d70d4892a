package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.daemon.ResolverDaemon;
import io.github.mtasts.resolver.daemon.SystemdNotifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the resolver daemon until SIGTERM or SIGINT, then stops it gracefully. */
final class ResolverDaemonRunner implements DaemonRunner {

    static final int START_FAILED = 1;

    private static final Logger LOG = LoggerFactory.getLogger(ResolverDaemonRunner.class);

    private final PrintWriter err;

    ResolverDaemonRunner(PrintWriter err) {
        this.err = err;
    }

    @Override
    public int run(Configuration configuration, Optional<Path> configFile) {
        DaemonConfig config = configuration.daemon();
        ResolverDaemon daemon;
        try {
            daemon = new ResolverDaemon(config);
        } catch (RuntimeException e) {
            return fail("mtasts daemon: " + e.getMessage(), DaemonCommand.CONFIG_ERROR);
        }
        Optional<DaemonDashboard> dashboard;
        try {
            dashboard = DaemonDashboard.open(configuration, daemon.policyStore(), Clock.systemUTC());
        } catch (RuntimeException e) {
            daemon.close();
            return fail("mtasts daemon: dashboard: " + e.getMessage(), START_FAILED);
        }
        try {
            daemon.start(configuration.dashboard().access(), dashboard.map(DaemonDashboard::pages).orElse(Map.of()));
        } catch (IOException | RuntimeException e) {
            daemon.close();
            dashboard.ifPresent(DaemonDashboard::close);
            return fail("mtasts daemon: cannot listen: " + e.getMessage(), START_FAILED);
        }
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        systemd.ready();

        CountDownLatch stopped = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: finishing in-flight answers (up to {} s)", config.shutdownTimeout().toSeconds());
            systemd.stopping();
            daemon.close();
            dashboard.ifPresent(DaemonDashboard::close);
            stopped.countDown();
            try {
                main.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private int fail(String message, int code) {
        err.println(message);
        err.flush();
        LOG.error("{}", message);
        return code;
    }
}
