package io.github.mtasts.resolver.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One destination from a TLSRPT record's {@code rua} field (RFC 8460 §3): a {@code mailto:} URI (RFC 6068) or an
 * {@code https:} URI (RFC 3986). No other scheme is defined for TLSRPT.
 */
public sealed interface ReportUri {

    /**
     * The longest URI accepted. RFC 8460 sets no limit; web servers commonly refuse request lines much longer,
     * and a destination is an index key of the shared delivery queue (PostgreSQL: 2,704 bytes at most).
     */
    int MAX_LENGTH = 2_048;

    /** The URI exactly as published. */
    String uri();

    /**
     * A {@code mailto:} destination.
     *
     * @param uri        the URI as published
     * @param recipients the decoded addresses (at least one), from the URI's path and any {@code to} header field
     */
    record Mailto(String uri, List<String> recipients) implements ReportUri {
        public Mailto {
            Objects.requireNonNull(uri, "uri");
            recipients = List.copyOf(recipients);
            if (recipients.isEmpty()) {
                throw new IllegalArgumentException("mailto URI without recipient: " + uri);
            }
        }
    }

    /** An {@code https:} destination, to which the report is POSTed. */
    record Https(String uri, URI target) implements ReportUri {
        public Https {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * Parses one URI of an {@code rua} field.
     *
     * @throws IllegalArgumentException naming the rule the URI breaks
     */
    static ReportUri parse(String uri) {
        if (uri.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("URI \"" + uri.substring(0, 60) + "...\" of " + uri.length()
                    + " characters: at most " + MAX_LENGTH + " are accepted");
        }
        checkUriCharacters(uri);
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mailto:")) {
            return parseMailto(uri);
        }
        if (lower.startsWith("https:")) {
            return parseHttps(uri);
        }
        int colon = uri.indexOf(':');
        throw new IllegalArgumentException("URI \"" + uri + "\": "
                + (colon > 0 ? "scheme \"" + uri.substring(0, colon) + "\" is not supported" : "has no scheme")
                + "; TLSRPT defines only mailto: and https:");
    }

    /**
     * RFC 3986 §2 characters only; RFC 8460 §3 also requires commas and exclamation points inside a URI to be
     * percent-encoded, since a comma separates URIs and "!" is DMARC's size-limit syntax, which TLSRPT lacks.
     */
    private static void checkUriCharacters(String uri) {
        if (uri.isEmpty()) {
            throw new IllegalArgumentException("empty URI");
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '!') {
                throw new IllegalArgumentException("URI \"" + uri + "\": \"!\" at position " + (i + 1)
                        + " must be percent-encoded; a DMARC-style size limit (\"!10m\") is not part of TLSRPT");
            }
            if (!isUriChar(c)) {
                throw new IllegalArgumentException("URI \"" + uri + "\": character " + describe(c) + " at position "
                        + (i + 1) + " is not allowed in a URI (RFC 3986 §2); percent-encode it");
            }
            if (c == '%' && (i + 2 >= uri.length() || !isHex(uri.charAt(i + 1)) || !isHex(uri.charAt(i + 2)))) {
                throw new IllegalArgumentException("URI \"" + uri + "\": \"%\" at position " + (i + 1)
                        + " is not followed by two hex digits (RFC 3986 §2.1)");
            }
        }
    }

    private static ReportUri parseHttps(String uri) {
        URI target;
        try {
            target = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("https URI \"" + uri + "\": " + e.getMessage());
        }
        if (target.getHost() == null) {
            throw new IllegalArgumentException("https URI \"" + uri + "\": no host name");
        }
        return new Https(uri, target);
    }

    /** RFC 6068 §2: {@code "mailto:" [ to ] [ hfields ]}; recipients come from {@code to} and any {@code to=} field. */
    private static ReportUri parseMailto(String uri) {
        String rest = uri.substring("mailto:".length());
        int query = rest.indexOf('?');
        String to = query < 0 ? rest : rest.substring(0, query);
        List<String> recipients = new ArrayList<>(addresses(uri, to));
        if (query >= 0) {
            for (String hfield : rest.substring(query + 1).split("&", -1)) {
                int eq = hfield.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("mailto URI \"" + uri + "\": header field \"" + hfield
                            + "\" is not name=value (RFC 6068 §2)");
                }
                if (decode(uri, hfield.substring(0, eq)).equalsIgnoreCase("to")) {
                    recipients.addAll(addresses(uri, hfield.substring(eq + 1)));
                }
            }
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("mailto URI \"" + uri + "\": no recipient address");
        }
        return new Mailto(uri, recipients);
    }

    private static List<String> addresses(String uri, String encoded) {
        List<String> addresses = new ArrayList<>();
        if (encoded.isEmpty()) {
            return addresses;
        }
        if (encoded.indexOf('#') >= 0) {
            throw new IllegalArgumentException("mailto URI \"" + uri + "\": \"#\" is not allowed (RFC 6068 §2)");
        }
        // RFC 6068 §2 separates addresses with ","; RFC 8460 §3 makes that "%2C" inside an rua URI.
        for (String address : decode(uri, encoded).split(",", -1)) {
            addresses.add(checkAddress(uri, address));
        }
        return addresses;
    }

    /** An RFC 5322 addr-spec with a dot-atom local part and a host-name domain. */
    private static String checkAddress(String uri, String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("mailto URI \"" + uri + "\": \"" + address + "\" is not an address"
                    + " (no \"@\")");
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (!isDotAtom(local)) {
            throw new IllegalArgumentException("mailto URI \"" + uri + "\": local part \"" + local
                    + "\" is not a dot-atom (RFC 5322 §3.4.1)");
        }
        if (!DomainNames.isHostName(domain)) {
            throw new IllegalArgumentException("mailto URI \"" + uri + "\": \"" + domain
                    + "\" is not a host name (letters, digits, hyphens; dot-separated labels of 1-63)");
        }
        return address;
    }

    private static boolean isDotAtom(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !isAtext(c)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5322 §3.2.3 atext. */
    static boolean isAtext(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    /** Percent-decodes (escapes already checked) as UTF-8 (RFC 6068 §2). */
    private static String decode(String uri, String s) {
        ByteBuffer bytes = ByteBuffer.allocate(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                bytes.put((byte) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("mailto URI \"" + uri + "\": percent-escapes are not UTF-8 (RFC 6068 §2)");
        }
    }

    private static boolean isUriChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~:/?#[]@!$&'()*+,;=%".indexOf(c) >= 0;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String describe(char c) {
        return c > 0x20 && c < 0x7f ? "\"" + c + "\"" : String.format("U+%04X", (int) c);
    }
}
