package io.github.mtasts.tlsrpt.sessions;

import java.util.Objects;

/**
 * A remote SMTP server as Postfix names it: {@code host[ip]:port} ({@code session->namaddr} plus port), the
 * port optional. IPv6 addresses sit inside the brackets unchanged ({@code mx[2001:db8::7]:25}).
 *
 * @param host the host name (the IP again when Postfix had no name)
 * @param ip   the address inside the brackets
 * @param port the TCP port, or -1 when not logged
 */
public record Peer(String host, String ip, int port) {
    public Peer {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(ip, "ip");
        if (host.isEmpty() || ip.isEmpty()) {
            throw new IllegalArgumentException("peer host and ip must not be empty");
        }
    }

    /** Same server: host and IP equal (the port is not logged everywhere). */
    public boolean sameServer(Peer other) {
        return other != null && host.equalsIgnoreCase(other.host) && ip.equals(other.ip);
    }

    /**
     * Parses the peer starting at {@code from}, ending at {@code end} exclusive; null when the text is not
     * {@code host[ip]} or {@code host[ip]:port}.
     */
    static Peer parse(String s, int from, int end) {
        int open = s.indexOf('[', from);
        if (open <= from || open >= end) {
            return null;
        }
        int close = s.indexOf(']', open + 1);
        if (close <= open + 1 || close >= end) {
            return null;
        }
        int port = -1;
        if (close + 1 < end) {
            if (s.charAt(close + 1) != ':' || close + 2 >= end || end - (close + 2) > 5) {
                return null;
            }
            port = 0;
            for (int i = close + 2; i < end; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                port = port * 10 + (c - '0');
            }
        }
        for (int i = from; i < open; i++) {
            if (s.charAt(i) == ' ') {
                return null;
            }
        }
        return new Peer(s.substring(from, open), s.substring(open + 1, close), port);
    }

    /** Where a peer that starts at {@code from} and is followed by {@code ": "} ends: the index of that colon. */
    static int endBeforeColonSpace(String s, int from) {
        int close = s.indexOf(']', from);
        if (close < 0) {
            return -1;
        }
        int colonSpace = s.indexOf(": ", close);
        return colonSpace < 0 ? s.length() : colonSpace;
    }
}
