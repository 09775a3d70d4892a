package io.github.mtasts.tlsrpt.sessions;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP address literals in report fields, checked without any name lookup. */
public final class IpLiterals {

    private IpLiterals() {
    }

    /** True for a dotted-quad IPv4 literal or an IPv6 literal (no brackets, no zone). */
    public static boolean isIpLiteral(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < part.length(); i++) {
                if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String s) {
        // InetAddress parses a string containing ':' as an IPv6 literal and never asks DNS for it.
        if (s.indexOf(':') < 0 || s.indexOf('%') >= 0 || s.startsWith("[")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        try {
            InetAddress address = InetAddress.getByName(s);
            // an IPv4-mapped literal (::ffff:1.2.3.4) comes back as IPv4; it is still a valid IPv6 literal
            return address instanceof Inet6Address || s.contains(":");
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
