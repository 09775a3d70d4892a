package io.github.mtasts.cli;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * A deterministic Postfix SMTP client log in the formats of the real fixtures: many smtp processes whose
 * connections interleave, so a session's lines are spread over commits, across two UTC days, with verified,
 * untrusted, expired, missing-STARTTLS and unparseable lines, and deliveries to MX hosts a policy does not name.
 */
final class PostfixLogGenerator {
    static final int DOMAINS = 8;
    private static final int PROCESSES = 24;

    private PostfixLogGenerator() {
    }

    static String generate(long seed, int connections, Instant start) {
        Random random = new Random(seed);
        List<Deque<String>> pending = new ArrayList<>();
        for (int p = 0; p < PROCESSES; p++) {
            pending.add(new ArrayDeque<>());
        }
        StringBuilder log = new StringBuilder();
        long second = start.getEpochSecond();
        int started = 0;
        int queue = 0x10000;
        while (true) {
            boolean anyPending = pending.stream().anyMatch(q -> !q.isEmpty());
            if (started == connections && !anyPending) {
                return log.toString();
            }
            int p = random.nextInt(PROCESSES);
            Deque<String> lines = pending.get(p);
            if (lines.isEmpty()) {
                if (started == connections) {
                    continue;
                }
                started++;
                connection(random, lines, Integer.toHexString(queue++).toUpperCase());
            }
            if (random.nextInt(40) == 0) {
                log.append(random.nextBoolean() ? "garbage without a timestamp " + random.nextInt(1000) : "")
                        .append('\n');
            }
            second += random.nextInt(3);
            log.append(Instant.ofEpochSecond(second)).append(" sender postfix/smtp[").append(1000 + p).append("]: ")
                    .append(lines.poll()).append('\n');
        }
    }

    private static void connection(Random random, Deque<String> lines, String queueId) {
        int d = random.nextInt(DOMAINS);
        String domain = "d" + d + ".example";
        String mx = random.nextInt(10) == 0 ? "rogue." + domain : "mx." + domain;
        String ip = "198.51.100." + (d + 1);
        String peer = mx + "[" + ip + "]:25";
        String recipient = random.nextInt(50) == 0 ? "tlsrpt@reports.example" : "user" + random.nextInt(100) + "@"
                + domain;
        String delivery = queueId + ": to=<" + recipient + ">, relay=" + peer
                + ", delay=0.02, delays=0/0/0.01/0, ";
        String cipher = ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519"
                + " server-signature RSA-PSS (2048 bits) server-digest SHA256";
        switch (random.nextInt(5)) {
            case 0, 1 -> {
                lines.add("Verified TLS connection established to " + peer + cipher);
                lines.add(delivery + "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)");
                if (random.nextInt(4) == 0) {
                    lines.add(delivery.replace(recipient, "second@" + domain)
                            + "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABD)");
                }
            }
            case 2 -> {
                lines.add("server certificate verification failed for " + peer + ": certificate has expired");
                lines.add("Untrusted TLS connection established to " + peer + cipher);
                lines.add(delivery + "dsn=4.7.5, status=deferred (Server certificate not verified)");
            }
            case 3 -> {
                lines.add("Untrusted TLS connection established to " + peer + cipher);
                lines.add(delivery + "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABE)");
            }
            default -> lines.add(delivery + "dsn=4.7.4, status=deferred (TLS is required, but was not offered by host "
                    + mx + "[" + ip + "])");
        }
    }
}
