package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.DnssecConfig;
import io.github.mtasts.resolver.dns.DnssecLookup;
import io.github.mtasts.resolver.dns.UntrustedResolverException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides once at start whether each zone gives DANE answers: {@code dane: auto} follows Postfix's
 * {@code smtp_dns_support_level}, and no zone does without a trustworthy source of DNSSEC status.
 */
public final class DaneSetup {

    private static final Logger LOG = LoggerFactory.getLogger(DaneSetup.class);
    private static final long POSTCONF_TIMEOUT_SECONDS = 10;

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
        Optional<String> level = postconf("smtp_dns_support_level");
        return new PostfixDnssec(level.filter("dnssec"::equals).isPresent(), "postconf -h smtp_dns_support_level "
                + level.map(l -> "says \"" + l + "\"").orElse("could not be run or failed"));
    }

    /** {@code postconf -h NAME}, or empty when postconf is missing or fails. */
    static Optional<String> postconf(String name) {
        try {
            Process process = new ProcessBuilder("postconf", "-h", name)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            // a one-line answer fits the pipe: wait first, so a hanging postconf cannot hold up the start
            if (!process.waitFor(POSTCONF_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
