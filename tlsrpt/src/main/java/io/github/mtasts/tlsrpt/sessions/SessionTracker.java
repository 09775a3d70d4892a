package io.github.mtasts.tlsrpt.sessions;

import io.github.mtasts.tlsrpt.logs.LogLine;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Correlates the log lines of each Postfix SMTP client process (host, syslog name, pid) into classified
 * {@link TlsSession}s. A process handles one connection at a time, so its lines between handshake and
 * delivery belong together.
 *
 * <p>Rules:
 * <ul>
 *   <li>a session is emitted on its first delivery line ({@code to=<...>, relay=...}), which names the
 *       recipient and so the policy domain; further delivery lines over the same connection (more
 *       recipients, more messages) are the same session;</li>
 *   <li>{@code TLS connection reused} is a connection set up earlier, already counted: not a new session;</li>
 *   <li>a Postfix {@code TLSRPT:} line is authoritative: its verdict and domain replace the heuristics, and
 *       are emitted with the recipient of the delivery line that follows it;</li>
 *   <li>sessions for which {@code ownReportMail} holds (our TLSRPT report mail, RFC 8460 §5.3) are counted
 *       and dropped.</li>
 * </ul>
 * Per-process state is bounded: a process silent for {@code maxIdle} of log time, or the least recently seen
 * beyond {@code maxProcesses}, is forgotten (a pending {@code TLSRPT:} verdict is emitted then). Not
 * thread-safe: one tracker per ingest loop.
 */
public final class SessionTracker {
    private static final String CANNOT_START_TLS = "Cannot start TLS";
    /** smtp_proto.c's reason when the security level required a matched certificate and the server had none. */
    private static final String CERTIFICATE_NOT_VERIFIED = "Server certificate not verified";

    private final Predicate<TlsSession> ownReportMail;
    private final int maxProcesses;
    private final Duration maxIdle;
    private final LinkedHashMap<ProcessKey, Attempt> processes = new LinkedHashMap<>(64, 0.75f, true);

    private long sessions;
    /** Start offset of the line being processed. */
    private long currentOffset;
    private long reusedConnections;
    private long ownReportSessions;
    private long evictedProcesses;
    private long withoutRecipientDomain;

    public SessionTracker(Predicate<TlsSession> ownReportMail, int maxProcesses, Duration maxIdle) {
        this.ownReportMail = Objects.requireNonNull(ownReportMail, "ownReportMail");
        if (maxProcesses < 1) {
            throw new IllegalArgumentException("maxProcesses must be positive: " + maxProcesses);
        }
        if (maxIdle.isNegative() || maxIdle.isZero()) {
            throw new IllegalArgumentException("maxIdle must be positive: " + maxIdle);
        }
        this.maxProcesses = maxProcesses;
        this.maxIdle = maxIdle;
    }

    /** Feeds one line; sessions it completes go to {@code out}. */
    public void accept(LogLine line, Consumer<TlsSession> out) {
        accept(line, 0, out);
    }

    /**
     * Feeds one line that starts at byte {@code lineOffset} of its source; sessions it completes go to
     * {@code out}. The offsets make {@link #oldestPendingOffset()} meaningful.
     */
    public void accept(LogLine line, long lineOffset, Consumer<TlsSession> out) {
        currentOffset = lineOffset;
        TlsEvent event = PostfixTlsMessages.parse(line.message());
        if (event != null) {
            ProcessKey key = new ProcessKey(line.host(), line.syslogName(), line.pid());
            Attempt attempt = processes.get(key);
            Attempt next = apply(event, attempt, line, out);
            if (next != null) {
                next.lastSeen = line.time();
                next.host = line.host();
                if (next != attempt) {
                    processes.put(key, next);
                }
            }
        }
        evict(line.time(), out);
    }

    /** Forgets every process, emitting pending {@code TLSRPT:} verdicts: the end of a batch import. */
    public void finish(Consumer<TlsSession> out) {
        for (Attempt attempt : processes.values()) {
            abandon(attempt, out);
        }
        processes.clear();
    }

    /**
     * The offset of the first line of the oldest connection still tracked, or {@code Long.MAX_VALUE} when none
     * is. Replaying the source from here rebuilds every pending state: a connection's state depends only on
     * lines from its first line on, and a process's older connections are no longer tracked. A connection
     * stays tracked after its first delivery, since later deliveries over it are the same session.
     */
    public long oldestPendingOffset() {
        long oldest = Long.MAX_VALUE;
        for (Attempt attempt : processes.values()) {
            oldest = Math.min(oldest, attempt.firstOffset);
        }
        return oldest;
    }

    public long sessions() {
        return sessions;
    }

    public long reusedConnections() {
        return reusedConnections;
    }

    public long ownReportSessions() {
        return ownReportSessions;
    }

    public long evictedProcesses() {
        return evictedProcesses;
    }

    /** Sessions dropped because the recipient had no domain ({@code to=<root>}): no policy domain to count. */
    public long withoutRecipientDomain() {
        return withoutRecipientDomain;
    }

    /** Processes with state right now (bounded by {@code maxProcesses}). */
    public int trackedProcesses() {
        return processes.size();
    }

    private Attempt apply(TlsEvent event, Attempt attempt, LogLine line, Consumer<TlsSession> out) {
        if (event instanceof TlsEvent.SettingUp settingUp) {
            return fresh(attempt, settingUp.peer(), out);
        }
        if (event instanceof TlsEvent.VerifyFailed failed) {
            Attempt current = continuing(attempt, failed.peer(), out);
            if (current.verifyResult == null) {
                current.verifyResult = failed.result();
                current.verifyReason = failed.reason();
            }
            return current;
        }
        if (event instanceof TlsEvent.Established established) {
            Attempt current = continuing(attempt, established.peer(), out);
            if (current.level != null) {
                current = fresh(current, established.peer(), out);
            }
            current.level = established.level();
            current.reused = established.reused();
            return current;
        }
        if (event instanceof TlsEvent.HandshakeError error) {
            Attempt current = continuing(attempt, error.peer(), out);
            current.handshakeError = error.reason();
            return current;
        }
        if (event instanceof TlsEvent.CannotStartTls) {
            Attempt current = attempt != null && !attempt.delivered ? attempt : fresh(attempt, null, out);
            if (current.handshakeError == null) {
                current.handshakeError = "handshake failure";
            }
            return current;
        }
        if (event instanceof TlsEvent.DanePolicyFailed failed) {
            // Postfix skipped this MX host without connecting: a failed session of its own, never followed by a
            // delivery line that names the host
            publish(new TlsSession(line.time(), line.host(), null, null, failed.domain(), failed.mxHost(), null,
                    failed.result(), failed.reason(), Evidence.TLS_LOG), out);
            return attempt;
        }
        if (event instanceof TlsEvent.TlsrptStatus status) {
            Peer peer = status.mxIp() == null ? null : new Peer(status.mxHost(), status.mxIp(), -1);
            Attempt current = attempt != null && !attempt.delivered && (peer == null || peer.sameServer(attempt.peer))
                    ? attempt : fresh(attempt, peer, out);
            current.tlsrpt = status;
            current.tlsrptTime = line.time();
            current.tlsrptNotSent = false;
            return current;
        }
        if (event instanceof TlsEvent.TlsrptNotSent) {
            if (attempt != null && attempt.tlsrpt != null) {
                attempt.tlsrptNotSent = true;
            }
            return attempt;
        }
        return delivery((TlsEvent.Delivery) event, attempt, line, out);
    }

    private Attempt delivery(TlsEvent.Delivery delivery, Attempt attempt, LogLine line, Consumer<TlsSession> out) {
        Peer relay = delivery.relay();
        String domain = domainOf(delivery.recipient());
        if (relay == null) {
            // relay=none: no connection was made (policy lookup failure, connect error); no TLS session.
            return attempt;
        }
        if (delivery.reason().startsWith("TLS is required, but was not offered by host")
                || delivery.reason().contains(" refused to start TLS")) {
            if (attempt != null && !attempt.delivered && attempt.tlsrpt != null
                    && (attempt.peer == null || attempt.peer.sameServer(relay))) {
                // Postfix >= 3.10 reported this connection itself just before: one session, its verdict
                attempt.delivered = true;
                TlsEvent.TlsrptStatus status = attempt.tlsrpt;
                attempt.tlsrpt = null;
                emitTlsrpt(line.host(), attempt.tlsrptTime, delivery.queueId(), delivery.recipient(), status,
                        attempt.tlsrptNotSent, out);
                return attempt;
            }
            Attempt current = fresh(attempt, relay, out);
            current.delivered = true;
            emit(line, delivery, domain, relay, ResultType.STARTTLS_NOT_SUPPORTED, null, Evidence.TLS_LOG, out);
            return current;
        }
        if (attempt != null && !attempt.delivered && (attempt.peer == null || attempt.peer.sameServer(relay))) {
            attempt.delivered = true;
            if (attempt.tlsrpt != null) {
                TlsEvent.TlsrptStatus status = attempt.tlsrpt;
                attempt.tlsrpt = null;
                emitTlsrpt(line.host(), attempt.tlsrptTime, delivery.queueId(), delivery.recipient(), status,
                        attempt.tlsrptNotSent, out);
            } else if (attempt.reused) {
                reusedConnections++;
            } else {
                classifyTlsLog(attempt, delivery, domain, relay, line, out);
            }
            return attempt;
        }
        if (attempt != null && attempt.delivered && relay.sameServer(attempt.peer)) {
            return attempt;
        }
        Attempt current = fresh(attempt, relay, out);
        current.delivered = true;
        if (delivery.reason().startsWith(CANNOT_START_TLS)) {
            emit(line, delivery, domain, relay, ResultType.VALIDATION_FAILURE, delivery.reason(), Evidence.TLS_LOG,
                    out);
        } else if (delivery.status().equals("sent") && isPlaintext(delivery.tls())) {
            emit(line, delivery, domain, relay, ResultType.STARTTLS_NOT_SUPPORTED, null, Evidence.PLAINTEXT_DELIVERY,
                    out);
        }
        return current;
    }

    private void classifyTlsLog(Attempt attempt, TlsEvent.Delivery delivery, String domain, Peer relay,
                                LogLine line, Consumer<TlsSession> out) {
        ResultType result;
        String reason;
        Evidence evidence = Evidence.TLS_LOG;
        if (attempt.verifyResult != null) {
            result = attempt.verifyResult;
            reason = attempt.verifyReason;
        } else if (attempt.handshakeError != null) {
            result = ResultType.VALIDATION_FAILURE;
            reason = attempt.handshakeError;
        } else if ("Trusted".equals(attempt.level) && delivery.reason().startsWith(CERTIFICATE_NOT_VERIFIED)) {
            // Older Postfix: chain trusted, but no name matched under "secure"/"verify".
            result = ResultType.CERTIFICATE_HOST_MISMATCH;
            reason = delivery.reason();
        } else if ("Verified".equals(attempt.level) || "Trusted".equals(attempt.level)) {
            result = ResultType.SUCCESS;
            reason = null;
        } else if ("Untrusted".equals(attempt.level) || "Anonymous".equals(attempt.level)) {
            // Below security level "verify" Postfix does not log why the chain failed.
            result = ResultType.CERTIFICATE_NOT_TRUSTED;
            reason = "Anonymous".equals(attempt.level) ? "no server certificate (anonymous cipher)" : null;
            if (!delivery.reason().startsWith(CERTIFICATE_NOT_VERIFIED)) {
                evidence = Evidence.UNAUTHENTICATED_TLS;
            }
        } else {
            // The handshake began but never completed: the delivery line says how the connection ended.
            result = ResultType.VALIDATION_FAILURE;
            reason = delivery.reason().isEmpty() ? "TLS handshake not completed" : delivery.reason();
        }
        emit(line, delivery, domain, relay, result, reason, evidence, out);
    }

    private void emit(LogLine line, TlsEvent.Delivery delivery, String domain, Peer relay, ResultType result,
                      String reason, Evidence evidence, Consumer<TlsSession> out) {
        if (domain == null) {
            withoutRecipientDomain++;
            return;
        }
        publish(new TlsSession(line.time(), line.host(), delivery.queueId(), delivery.recipient(), domain,
                relay.host(), relay.ip(), result, reason, evidence), out);
    }

    private void emitTlsrpt(String host, Instant time, String queueId, String recipient,
                            TlsEvent.TlsrptStatus status, boolean notSent, Consumer<TlsSession> out) {
        publish(new TlsSession(time, host, queueId, recipient, status.domain(), status.mxHost(), status.mxIp(),
                status.result(), status.reason(), notSent ? Evidence.TLSRPT_LINE_NOT_SENT : Evidence.TLSRPT_LINE),
                out);
    }

    private void publish(TlsSession session, Consumer<TlsSession> out) {
        if (ownReportMail.test(session)) {
            ownReportSessions++;
            return;
        }
        sessions++;
        out.accept(session);
    }

    /** The current attempt when it is with {@code peer} and undelivered, else a new one. */
    private Attempt continuing(Attempt attempt, Peer peer, Consumer<TlsSession> out) {
        if (attempt != null && !attempt.delivered && (attempt.peer == null || attempt.peer.sameServer(peer))) {
            if (attempt.peer == null) {
                attempt.peer = peer;
            }
            return attempt;
        }
        return fresh(attempt, peer, out);
    }

    private Attempt fresh(Attempt previous, Peer peer, Consumer<TlsSession> out) {
        if (previous != null) {
            abandon(previous, out);
        }
        Attempt attempt = new Attempt();
        attempt.peer = peer;
        attempt.firstOffset = currentOffset;
        return attempt;
    }

    /** An attempt replaced or forgotten without a delivery line; only a TLSRPT verdict survives it. */
    private void abandon(Attempt attempt, Consumer<TlsSession> out) {
        if (attempt.tlsrpt != null) {
            TlsEvent.TlsrptStatus status = attempt.tlsrpt;
            attempt.tlsrpt = null;
            emitTlsrpt(attempt.host, attempt.tlsrptTime, null, null, status, attempt.tlsrptNotSent, out);
        }
    }

    private void evict(Instant now, Consumer<TlsSession> out) {
        Instant oldestAllowed = now.minus(maxIdle);
        Iterator<Map.Entry<ProcessKey, Attempt>> eldest = processes.entrySet().iterator();
        while (eldest.hasNext()) {
            Map.Entry<ProcessKey, Attempt> entry = eldest.next();
            if (processes.size() <= maxProcesses && !entry.getValue().lastSeen.isBefore(oldestAllowed)) {
                return;
            }
            abandon(entry.getValue(), out);
            eldest.remove();
            evictedProcesses++;
        }
    }

    /**
     * Without a {@code tls=} field (Postfix < 3.11) a delivery with no TLS line is taken as plaintext; with one,
     * only the levels that say so ({@code none}, a downgrade {@code may:none}) are.
     */
    private static boolean isPlaintext(String tls) {
        if (tls == null) {
            return true;
        }
        int slash = tls.indexOf('/');
        String level = slash < 0 ? tls : tls.substring(0, slash);
        return level.equals("none") || level.endsWith(":none");
    }

    private static String domainOf(String recipient) {
        int at = recipient.lastIndexOf('@');
        if (at < 0 || at == recipient.length() - 1) {
            return null;
        }
        String domain = recipient.substring(at + 1).toLowerCase(Locale.ROOT);
        return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    }

    private record ProcessKey(String host, String syslogName, int pid) {
    }

    /** What one process has logged about its current connection. */
    private static final class Attempt {
        Peer peer;
        long firstOffset;
        String host;
        Instant lastSeen = Instant.EPOCH;
        ResultType verifyResult;
        String verifyReason;
        String level;
        boolean reused;
        String handshakeError;
        TlsEvent.TlsrptStatus tlsrpt;
        Instant tlsrptTime;
        /** Postfix warned that the datagram of {@link #tlsrpt} was not sent. */
        boolean tlsrptNotSent;
        boolean delivered;
    }
}
