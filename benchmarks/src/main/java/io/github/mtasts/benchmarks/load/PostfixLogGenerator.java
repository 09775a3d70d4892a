package io.github.mtasts.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Deterministic, realistic Postfix logs for the ingest benchmark: the same seed gives the same lines. The forms are
 * those of a real Postfix 3.7 maillog (traditional syslog timestamp, {@code postfix/smtp[pid]}), one delivery per
 * event: TLS successes, every TLS failure Postfix logs, reused connections, policy lookup errors, and the lines of
 * pickup, cleanup, qmgr and smtpd around them that an ingester must skip.
 */
public final class PostfixLogGenerator {

    /** What one generated event is; the weights are a busy relay's rough mix, failures over-represented. */
    public enum Event {
        VERIFIED_DELIVERY(48),
        TRUSTED_DELIVERY(8),
        REUSED_CONNECTION(14),
        STARTTLS_NOT_OFFERED(3),
        HOSTNAME_MISMATCH(3),
        EXPIRED_CERTIFICATE(3),
        SELF_SIGNED_CERTIFICATE(3),
        HANDSHAKE_FAILURE(2),
        POLICY_LOOKUP_ERROR(2),
        UNRELATED(14);

        final int weight;

        Event(int weight) {
            this.weight = weight;
        }
    }

    private static final int TOTAL_WEIGHT = Arrays.stream(Event.values()).mapToInt(e -> e.weight).sum();
    private static final DateTimeFormatter SYSLOG_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static final String HOST = "relay";
    private static final String CIPHER = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
            + "server-signature RSA-PSS (2048 bits) server-digest SHA256";
    private static final int SMTP_PROCESSES = 24;
    private static final int DOMAINS = 1000;

    private final Random random;
    private final Appendable out;
    private final int[] smtpPids = new int[SMTP_PROCESSES];
    /** Per smtp process, the domain of its last verified connection (-1 for none): what a reuse goes back to. */
    private final int[] lastVerifiedDomain = new int[SMTP_PROCESSES];
    private final Map<Event, Long> events = new EnumMap<>(Event.class);
    private LocalDateTime time = LocalDateTime.of(2026, 11, 29, 0, 0, 0);
    private long millis;
    private long lines;

    private PostfixLogGenerator(long seed, Appendable out) {
        this.random = new Random(seed);
        this.out = out;
        for (int i = 0; i < SMTP_PROCESSES; i++) {
            smtpPids[i] = 20_000 + random.nextInt(10_000) * 3 + i;
            lastVerifiedDomain[i] = -1;
        }
    }

    /** The policy domains the generated deliveries go to; their MX hosts are {@code mx1..3.<domain>}. */
    public static List<String> policyDomains() {
        return IntStream.range(0, DOMAINS).mapToObj(n -> "d" + n + ".example").toList();
    }

    /**
     * Writes whole events to {@code out} until at least {@code lines} lines are written.
     *
     * @return how many events of each kind were written
     */
    public static Map<Event, Long> generate(long lines, long seed, Appendable out) {
        PostfixLogGenerator generator = new PostfixLogGenerator(seed, out);
        while (generator.lines < lines) {
            generator.event(generator.pick());
        }
        return generator.events;
    }

    private Event pick() {
        int r = random.nextInt(TOTAL_WEIGHT);
        for (Event e : Event.values()) {
            r -= e.weight;
            if (r < 0) {
                return e;
            }
        }
        throw new AssertionError("weights add up to " + TOTAL_WEIGHT);
    }

    private void event(Event event) {
        events.merge(event, 1L, Long::sum);
        millis += random.nextInt(400);
        int process = random.nextInt(SMTP_PROCESSES);
        int domain = random.nextInt(DOMAINS);
        if (event == Event.REUSED_CONNECTION && lastVerifiedDomain[process] >= 0) {
            domain = lastVerifiedDomain[process];
        }
        String queueId = queueId();
        String d = "d" + domain + ".example";
        String peer = "mx" + (domain % 3 + 1) + "." + d + "[192.0.2." + (domain % 254 + 1) + "]:25";
        String rcpt = "to=<user" + random.nextInt(500) + "@" + d + ">";
        String smtp = "postfix/smtp[" + smtpPids[process] + "]: ";
        if (event != Event.UNRELATED && event != Event.REUSED_CONNECTION) {
            queueManager(queueId);
        }
        switch (event) {
            case VERIFIED_DELIVERY -> {
                line(smtp + "Verified TLS connection established to " + peer + ": " + CIPHER);
                sent(smtp, queueId, rcpt, peer);
                lastVerifiedDomain[process] = domain;
            }
            case TRUSTED_DELIVERY -> {
                line(smtp + "Trusted TLS connection established to " + peer + ": " + CIPHER);
                sent(smtp, queueId, rcpt, peer);
            }
            case REUSED_CONNECTION -> {
                queueManager(queueId);
                line(smtp + "Verified TLS connection reused to " + peer + ": " + CIPHER);
                sent(smtp, queueId, rcpt, peer);
            }
            case STARTTLS_NOT_OFFERED -> deferredLine(smtp, queueId, rcpt, peer, "4.7.4",
                    "TLS is required, but was not offered by host " + peer.substring(0, peer.length() - 3));
            case HOSTNAME_MISMATCH -> certificateFailure(smtp, queueId, rcpt, peer, "num=62:hostname mismatch");
            case EXPIRED_CERTIFICATE -> certificateFailure(smtp, queueId, rcpt, peer, "certificate has expired");
            case SELF_SIGNED_CERTIFICATE -> certificateFailure(smtp, queueId, rcpt, peer, "self-signed certificate");
            case HANDSHAKE_FAILURE -> {
                line(smtp + "SSL_connect error to " + peer + ": -1");
                line(smtp + "warning: TLS library problem: error:0A000410:SSL routines::sslv3 alert handshake failure:"
                        + "../ssl/record/rec_layer_s3.c:1584:SSL alert number 40:");
                line(smtp + queueId + ": Cannot start TLS: handshake failure");
                deferredLine(smtp, queueId, rcpt, peer, "4.7.5", "Cannot start TLS: handshake failure");
            }
            case POLICY_LOOKUP_ERROR -> {
                String nexthop = d;
                line(smtp + "warning: socketmap:inet:127.0.0.1:8461:postfix socketmap server temporary error: "
                        + "policy backend unavailable");
                line(smtp + "warning: socketmap:inet:127.0.0.1:8461:postfix lookup error for \"" + nexthop + "\"");
                line(smtp + "warning: smtp_tls_policy_maps, next-hop destination \"" + nexthop
                        + "\": policy table lookup error");
                line(smtp + "warning: TLS policy lookup for " + nexthop + "/" + "mx1." + d
                        + ": client TLS configuration problem");
                line(smtp + queueId + ": " + rcpt + ", relay=none, delay=0.05, delays=0.02/0.03/0/0, dsn=4.7.5, "
                        + "status=deferred (client TLS configuration problem)");
            }
            case UNRELATED -> unrelated(queueId, domain);
        }
    }

    private void queueManager(String queueId) {
        line("postfix/pickup[1201]: " + queueId + ": uid=1000 from=<app@relay.example>");
        line("postfix/cleanup[" + (3000 + random.nextInt(50)) + "]: " + queueId + ": message-id=<" + queueId
                + "@relay.example>");
        line("postfix/qmgr[1202]: " + queueId + ": from=<app@relay.example>, size=" + (800 + random.nextInt(40_000))
                + ", nrcpt=1 (queue active)");
    }

    private void sent(String smtp, String queueId, String rcpt, String peer) {
        line(smtp + queueId + ": " + rcpt + ", relay=" + peer + ", delay=0." + (10 + random.nextInt(89))
                + ", delays=0.01/0/0.05/0.04, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as " + queueId() + ")");
        line("postfix/qmgr[1202]: " + queueId + ": removed");
    }

    private void certificateFailure(String smtp, String queueId, String rcpt, String peer, String reason) {
        line(smtp + "Untrusted TLS connection established to " + peer + ": " + CIPHER);
        line(smtp + "server certificate verification failed for " + peer + ": " + reason);
        deferredLine(smtp, queueId, rcpt, peer, "4.7.5", "Server certificate not verified");
    }

    private void deferredLine(String smtp, String queueId, String rcpt, String peer, String dsn, String why) {
        line(smtp + queueId + ": " + rcpt + ", relay=" + peer + ", delay=0.02, delays=0/0/0.02/0, dsn=" + dsn
                + ", status=deferred (" + why + ")");
    }

    private void unrelated(String queueId, int n) {
        String client = "client" + n + ".example[198.51.100." + (n % 254 + 1) + "]";
        String smtpd = "postfix/smtpd[" + (4000 + n % 100) + "]: ";
        switch (random.nextInt(4)) {
            case 0 -> {
                line(smtpd + "connect from " + client);
                line(smtpd + "Anonymous TLS connection established from " + client + ": " + CIPHER);
                line(smtpd + queueId + ": client=" + client);
                line(smtpd + "disconnect from " + client + " ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7");
            }
            case 1 -> line(smtpd + "NOQUEUE: reject: RCPT from " + client + ": 554 5.7.1 <spam@relay.example>: "
                    + "Relay access denied; from=<x@" + n + ".example> to=<spam@relay.example> proto=ESMTP helo=<x>");
            case 2 -> line("postfix/anvil[1300]: statistics: max connection rate 3/60s for (smtp:198.51.100."
                    + (n % 254 + 1) + ") at " + SYSLOG_TIME.format(now()));
            default -> line("postfix/scache[1301]: statistics: domain lookup hits=" + n + " miss=" + (n / 3 + 1)
                    + " success=" + (n * 100 / (n + n / 3 + 1)) + "%");
        }
    }

    private String queueId() {
        return String.format(Locale.ROOT, "%010X", random.nextLong() & 0xFF_FFFF_FFFFL);
    }

    private LocalDateTime now() {
        return time.plusNanos(millis * 1_000_000);
    }

    private void line(String programAndMessage) {
        try {
            out.append(SYSLOG_TIME.format(now())).append(' ').append(HOST).append(' ').append(programAndMessage)
                    .append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lines++;
    }
}
