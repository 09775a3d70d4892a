package io.github.mtasts.tlsrpt.sessions;

import java.util.Locale;

/**
 * Recognises the Postfix SMTP client messages that matter for TLS sessions (tls_client.c, tls_verify.c,
 * smtp_proto.c, the TLSRPT status line) and turns each into a {@link TlsEvent}. Pure; null for any other
 * message. Cheap first-character and prefix checks keep the many irrelevant lines fast.
 */
final class PostfixTlsMessages {
    private static final String SETTING_UP = "setting up TLS connection to ";
    private static final String VERIFY_FAILED = "certificate verification failed for ";
    private static final String TLS_CONNECTION = " TLS connection ";
    private static final String SSL_CONNECT_ERROR = "SSL_connect error to ";
    private static final String CANNOT_START_TLS = "Cannot start TLS: handshake failure";
    private static final String TLSRPT = "TLSRPT: ";
    /** tlsrpt_wrapper.c, when libtlsrpt could not send the datagram (no socket, nobody receiving). */
    private static final String TLSRPT_NOT_SENT = "warning: Could not report TLS handshake result to tlsrpt library";
    private static final String TO = ": to=<";
    private static final String POLICY_LOOKUP = "warning: TLS policy lookup for ";

    private PostfixTlsMessages() {
    }

    static TlsEvent parse(String message) {
        if (message.isEmpty()) {
            return null;
        }
        switch (message.charAt(0)) {
            case 's' -> {
                if (message.startsWith(SETTING_UP)) {
                    Peer peer = Peer.parse(message, SETTING_UP.length(), message.length());
                    return peer == null ? null : new TlsEvent.SettingUp(peer);
                }
                if (message.startsWith("server " + VERIFY_FAILED)) {
                    return verifyFailed(message, "server ".length());
                }
            }
            case 'c' -> {
                if (message.startsWith(VERIFY_FAILED)) {
                    return verifyFailed(message, 0);
                }
            }
            case 'C' -> {
                if (message.startsWith("CA " + VERIFY_FAILED)) {
                    return verifyFailed(message, "CA ".length());
                }
                if (message.startsWith(CANNOT_START_TLS)) {
                    return new TlsEvent.CannotStartTls();
                }
            }
            case 'A', 'U', 'V' -> {
                TlsEvent established = established(message);
                if (established != null) {
                    return established;
                }
            }
            case 'S' -> {
                if (message.startsWith(SSL_CONNECT_ERROR)) {
                    return handshakeError(message);
                }
            }
            case 'w' -> {
                if (message.startsWith(TLSRPT_NOT_SENT)) {
                    return new TlsEvent.TlsrptNotSent();
                }
                if (message.startsWith(POLICY_LOOKUP)) {
                    return danePolicyFailed(message);
                }
            }
            case 'T' -> {
                if (message.startsWith(TLSRPT)) {
                    return tlsrpt(message);
                }
                TlsEvent established = established(message);
                if (established != null) {
                    return established;
                }
            }
            default -> {
            }
        }
        return queueIdMessage(message);
    }

    /** Messages that start with a queue id: delivery lines and {@code QUEUEID: Cannot start TLS...}. */
    private static TlsEvent queueIdMessage(String message) {
        int colon = queueIdEnd(message);
        if (colon < 0) {
            return null;
        }
        if (message.startsWith(CANNOT_START_TLS, colon + 2)) {
            return new TlsEvent.CannotStartTls();
        }
        return delivery(message);
    }

    private static TlsEvent verifyFailed(String message, int prefixLength) {
        int peerStart = prefixLength + VERIFY_FAILED.length();
        int peerEnd = Peer.endBeforeColonSpace(message, peerStart);
        if (peerEnd < 0 || peerEnd + 2 > message.length()) {
            return null;
        }
        Peer peer = Peer.parse(message, peerStart, peerEnd);
        if (peer == null) {
            return null;
        }
        String reason = message.substring(Math.min(peerEnd + 2, message.length()));
        if (reason.endsWith(".")) {
            reason = reason.substring(0, reason.length() - 1);
        }
        return new TlsEvent.VerifyFailed(peer, CertificateFailures.classify(reason), reason);
    }

    /** {@code Level TLS connection established|reused to peer: ...} (not {@code ... from client}, smtpd's). */
    private static TlsEvent established(String message) {
        int space = message.indexOf(' ');
        if (space < 0 || !message.startsWith(TLS_CONNECTION, space)) {
            return null;
        }
        String level = message.substring(0, space);
        if (!level.equals("Verified") && !level.equals("Trusted") && !level.equals("Untrusted")
                && !level.equals("Anonymous")) {
            return null;
        }
        int verbStart = space + TLS_CONNECTION.length();
        boolean reused;
        if (message.startsWith("established to ", verbStart)) {
            reused = false;
        } else if (message.startsWith("reused to ", verbStart)) {
            reused = true;
        } else {
            return null;
        }
        int peerStart = message.indexOf(" to ", verbStart) + 4;
        int peerEnd = Peer.endBeforeColonSpace(message, peerStart);
        Peer peer = peerEnd < 0 ? null : Peer.parse(message, peerStart, peerEnd);
        return peer == null ? null : new TlsEvent.Established(peer, level, reused);
    }

    /**
     * The DANE reasons of smtp_tls_policy.c's {@code dane_init} (RFC 8460 §4.3.2.1): a TLSA lookup that failed (bogus
     * or unanswered: Postfix cannot tell them apart) is {@code dnssec-invalid}; under {@code dane-only}, an MX host
     * without validated TLSA records is {@code dane-required}, one with unusable records {@code tlsa-invalid}. Other
     * reasons (a malformed policy answer) say nothing about the destination: null.
     */
    private static TlsEvent danePolicyFailed(String message) {
        int start = POLICY_LOOKUP.length();
        int reasonAt = message.indexOf(": ", start);
        int slash = reasonAt < 0 ? -1 : message.lastIndexOf('/', reasonAt);
        if (slash <= start || slash + 1 >= reasonAt) {
            return null;
        }
        String reason = message.substring(reasonAt + 2);
        ResultType result;
        if (reason.startsWith("TLSA lookup error for ")) {
            result = ResultType.DNSSEC_INVALID;
        } else if (reason.equals("no TLSA records found") || reason.equals("non DNSSEC destination")) {
            result = ResultType.DANE_REQUIRED;
        } else if (reason.equals("TLSA records unusable")) {
            result = ResultType.TLSA_INVALID;
        } else {
            return null;
        }
        String destination = message.substring(start, slash).toLowerCase(Locale.ROOT);
        if (destination.indexOf('[') >= 0 || destination.indexOf(':') >= 0) {
            // a transport's [host]:port next hop names no policy domain
            return null;
        }
        return new TlsEvent.DanePolicyFailed(destination, message.substring(slash + 1, reasonAt), result, reason);
    }

    private static TlsEvent handshakeError(String message) {
        int peerStart = SSL_CONNECT_ERROR.length();
        int peerEnd = Peer.endBeforeColonSpace(message, peerStart);
        Peer peer = peerEnd < 0 ? null : Peer.parse(message, peerStart, peerEnd);
        if (peer == null) {
            return null;
        }
        String reason = message.substring(Math.min(peerEnd + 2, message.length()));
        return new TlsEvent.HandshakeError(peer, reason.isEmpty() ? "SSL_connect error" : "SSL_connect error: " + reason);
    }

    private static TlsEvent tlsrpt(String message) {
        String status = null;
        String domain = null;
        String mx = null;
        String failureType = null;
        String failureReason = null;
        for (String pair : message.substring(TLSRPT.length()).split(", ")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String value = pair.substring(equals + 1);
            switch (pair.substring(0, equals)) {
                case "status" -> status = value;
                case "domain" -> domain = value.toLowerCase(Locale.ROOT);
                case "receiving_mx" -> mx = value;
                case "failure_type" -> failureType = value;
                case "failure_reason" -> failureReason = value;
                default -> {
                }
            }
        }
        if (status == null || domain == null || domain.isEmpty() || mx == null || mx.isEmpty()) {
            return null;
        }
        ResultType result;
        String reason = failureReason;
        if (status.equals("success")) {
            result = ResultType.SUCCESS;
            reason = null;
        } else if (status.equals("failure") && failureType != null) {
            result = ResultType.fromPostfixFailureType(failureType);
            if (result == null || result == ResultType.SUCCESS) {
                result = ResultType.VALIDATION_FAILURE;
                reason = failureReason == null ? failureType : failureType + ": " + failureReason;
            }
        } else {
            return null;
        }
        Peer peer = Peer.parse(mx, 0, mx.length());
        String mxHost = peer != null ? peer.host() : mx;
        String mxIp = peer != null && looksLikeIp(peer.ip()) ? peer.ip() : null;
        return new TlsEvent.TlsrptStatus(domain, mxHost, mxIp, result, reason);
    }

    private static TlsEvent delivery(String message) {
        int colon = queueIdEnd(message);
        if (colon < 0 || !message.startsWith(TO, colon)) {
            return null;
        }
        int recipientStart = colon + TO.length();
        int recipientEnd = message.indexOf('>', recipientStart);
        if (recipientEnd < 0) {
            return null;
        }
        String recipient = message.substring(recipientStart, recipientEnd);
        int relayAt = message.indexOf(", relay=", recipientEnd);
        int statusAt = message.indexOf(", status=", recipientEnd);
        if (relayAt < 0 || statusAt < 0) {
            return null;
        }
        int relayStart = relayAt + ", relay=".length();
        int relayEnd = message.indexOf(',', relayStart);
        Peer relay = Peer.parse(message, relayStart, relayEnd < 0 ? message.length() : relayEnd);
        int statusStart = statusAt + ", status=".length();
        int statusEnd = message.indexOf(' ', statusStart);
        String status = message.substring(statusStart, statusEnd < 0 ? message.length() : statusEnd);
        String reason = "";
        if (statusEnd > 0 && message.startsWith(" (", statusEnd) && message.endsWith(")")) {
            reason = message.substring(statusEnd + 2, message.length() - 1);
        }
        int tlsAt = message.indexOf(", tls=", recipientEnd);
        String tls = null;
        if (tlsAt >= 0 && tlsAt < statusAt) {
            int tlsStart = tlsAt + ", tls=".length();
            tls = message.substring(tlsStart, message.indexOf(',', tlsStart));
        }
        return new TlsEvent.Delivery(message.substring(0, colon), recipient, relay, status, reason, tls);
    }

    /** Digits, hex digits, dots and colons only: an IPv4 or IPv6 address, not a placeholder. */
    private static boolean looksLikeIp(String ip) {
        for (int i = 0; i < ip.length(); i++) {
            char c = ip.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':')) {
                return false;
            }
        }
        return true;
    }

    /** The index of the colon after a leading Postfix queue id (alphanumeric), or -1. */
    private static int queueIdEnd(String message) {
        int i = 0;
        int n = Math.min(message.length(), 32);
        while (i < n && Character.isLetterOrDigit(message.charAt(i)) && message.charAt(i) < 128) {
            i++;
        }
        if (i == 0 || i >= message.length() - 1 || message.charAt(i) != ':' || message.charAt(i + 1) != ' ') {
            return -1;
        }
        return i;
    }
}
