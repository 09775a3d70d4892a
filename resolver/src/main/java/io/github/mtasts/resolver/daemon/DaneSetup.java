package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.DnssecConfig;
import io.github.mtasts.resolver.dns.DnssecLookup;
import io.github.mtasts.resolver.dns.UntrustedResolverException;
import io.github.mtasts.resolver.text.LogSafe;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides once at start whether each zone gives DANE answers: {@code dane: auto} follows Postfix's
 * {@code smtp_dns_support_level}, and no zone does without a trustworthy source of DNSSEC status.
 */
public final class DaneSetup {

    private static final Logger LOG = LoggerFactory.getLogger(DaneSetup.class);
    private static final long POSTCONF_TIMEOUT_SECONDS = 10;
    /** Postfix's message prefixes on stderr: the program's name, then the level. */
    private static final Pattern FATAL = Pattern.compile("\\S+: fatal: ");
    private static final Pattern WARNING = Pattern.compile("\\S+: warning: ");

    /**
     * The configuration with {@code dane} decided in every zone, and the DNSSEC lookups when a zone is on.
     *
     * @param config   each zone's {@code dane} is {@code on} or {@code off}
     * @param dnssec   present when some zone is on
     */
    public record Decision(DaemonConfig config, Optional<DnssecLookup> dnssec) {
    }

    private DaneSetup() {
    }

    /** Decides; {@code postconf} is asked only when a zone says {@code auto}. */
    public static Decision decide(DaemonConfig config, Duration timeout) {
        if (!config.anyZoneDane(DaneMode.ON) && !config.anyZoneDane(DaneMode.AUTO)) {
            return new Decision(config, Optional.empty());
        }
        boolean autoOn = false;
        if (config.anyZoneDane(DaneMode.AUTO)) {
            PostfixDnssec postfix = postfixDnssec();
            autoOn = postfix.on();
            LOG.info("dane: auto is {}", postfix);
        }
        Optional<DnssecLookup> dnssec = Optional.empty();
        if (config.anyZoneDane(DaneMode.ON) || autoOn) {
            try {
                dnssec = Optional.of(source(config, timeout));
                LOG.info("dane: DNSSEC status from {}", dnssec.get().source());
            } catch (UntrustedResolverException e) {
                LOG.warn("dane: off in every zone, no trustworthy DNSSEC status: {}", e.getMessage());
            }
        }
        DaemonConfig decided = config.withDaneDecided(autoOn, dnssec.isPresent());
        return new Decision(decided, decided.anyZoneDane(DaneMode.ON) ? dnssec : Optional.empty());
    }

    /** The DNSSEC lookups the {@code dnssec:} section asks for. */
    public static DnssecLookup source(DaemonConfig config, Duration timeout) throws UntrustedResolverException {
        DnssecConfig dnssec = config.dnssec();
        if (dnssec.validation() == DnssecConfig.Validation.RESOLVER) {
            return DnssecLookup.trustingResolver(config.dns().nameservers(), timeout);
        }
        try (InputStream anchors = Files.newInputStream(dnssec.trustAnchorFile().orElseThrow())) {
            return DnssecLookup.validating(config.dns().nameservers(), anchors, timeout);
        } catch (IOException e) {
            throw new UntrustedResolverException("cannot read trust_anchor_file " + dnssec.trustAnchorFile().get()
                    + ": " + e.getMessage());
        }
    }

    /**
     * What {@code dane: auto} becomes: on when Postfix does DNSSEC lookups for DANE.
     *
     * @param on     {@code postconf -h smtp_dns_support_level} said {@code dnssec}
     * @param reason what postconf said, for the one log line
     */
    public record PostfixDnssec(boolean on, String reason) {
        @Override
        public String toString() {
            return (on ? "on" : "off") + ": " + reason;
        }
    }

    /** Asks {@code postconf}, when it exists. */
    public static PostfixDnssec postfixDnssec() {
        return postfixDnssec(List.of("postconf"));
    }

    /** @param postconf the command that runs Postfix's {@code postconf} (tests run a script in its place) */
    static PostfixDnssec postfixDnssec(List<String> postconf) {
        String asked = "postconf -h smtp_dns_support_level";
        Postconf answer = postconf(postconf, "smtp_dns_support_level");
        return answer.value()
                .map(level -> new PostfixDnssec("dnssec".equals(level), asked + " says \"" + LogSafe.escape(level) + "\""))
                .orElseGet(() -> new PostfixDnssec(false, asked + " failed: " + answer.failure()));
    }

    /** What {@code postconf -h NAME} printed, or why it printed nothing usable. */
    record Postconf(Optional<String> value, String failure) {
        static Postconf failed(String why) {
            return new Postconf(Optional.empty(), why);
        }
    }

    /**
     * {@code postconf -h NAME}. Postfix sleeps a second before it exits on a fatal error (no {@code main.cf},
     * say): the first {@code postconf: fatal:} line is the answer, and the process is not waited for.
     */
    static Postconf postconf(List<String> postconf, String name) {
        List<String> command = new ArrayList<>(postconf);
        command.addAll(List.of("-h", name));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return Postconf.failed("could not be run: " + e.getMessage());
        }
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "postconf-reader");
            thread.setDaemon(true);
            return thread;
        });
        try {
            process.getOutputStream().close();
            return reader.submit(() -> read(process)).get(POSTCONF_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return Postconf.failed("no answer within " + POSTCONF_TIMEOUT_SECONDS + " s");
        } catch (IOException | ExecutionException e) {
            return Postconf.failed(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Postconf.failed("interrupted");
        } finally {
            reader.shutdownNow();
            process.destroyForcibly();
        }
    }

    /** Postfix's warnings come first on stderr; stdout's one line is written at exit. */
    private static Postconf read(Process process) throws IOException, InterruptedException {
        Optional<String> value = Optional.empty();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (FATAL.matcher(line).lookingAt()) {
                    return Postconf.failed(LogSafe.escape(line));
                }
                if (value.isEmpty() && !WARNING.matcher(line).lookingAt()) {
                    value = Optional.of(line.trim());
                }
            }
        }
        int status = process.waitFor();
        if (status != 0) {
            return Postconf.failed("exit status " + status);
        }
        return value.isPresent() ? new Postconf(value, "") : Postconf.failed("no output");
    }
}
