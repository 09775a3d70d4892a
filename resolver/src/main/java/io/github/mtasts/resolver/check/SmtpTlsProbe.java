package io.github.mtasts.resolver.check;

import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.policy.MxPattern;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Checks one MX address as an MTA-STS sender would use it (RFC 8461 §4): SMTP greeting, EHLO, STARTTLS
 * (RFC 3207), a TLS handshake with SNI set to the MX name, the certificate chain against the trust anchors, the MX
 * name among the certificate's DNS Subject Alternative Names, and the days left before it expires. The session ends
 * with QUIT; no mail is sent.
 *
 * <p>The handshake accepts any certificate and the checks run afterwards on the chain it saw, so one run reports
 * every problem with the certificate instead of stopping at the first. The name is checked against the SAN
 * explicitly: the JDK's HTTPS identity check falls back to the Common Name when a certificate has no DNS SAN, and
 * RFC 8461 §4.1 requires the name in the subjectAltName (RFC 6125 DNS-ID).
 */
public final class SmtpTlsProbe {

    /** Port 25: where senders deliver (RFC 5321 §4.5.4.2). */
    public static final int SMTP_PORT = 25;
    /** Fewer days than this before the MX certificate expires is a warning. */
    public static final int EXPIRY_WARNING_DAYS = 14;

    private static final int MAX_REPLY_LINES = 100;
    private static final int MAX_LINE = 2048;

    private final X509TrustManager trust;
    private final String trustName;
    private final int port;
    private final Duration timeout;
    private final String ehloName;
    private final Clock clock;

    /**
     * @param trust     trust anchors ({@link #trustManager(Optional)})
     * @param trustName how the anchors are named in reasons ("the JDK trust store", "ca_file /etc/...")
     * @param port      SMTP port: {@value #SMTP_PORT} except in tests
     * @param timeout   bound on the connect and on every read
     * @param ehloName  the name this check introduces itself with
     */
    public SmtpTlsProbe(X509TrustManager trust, String trustName, int port, Duration timeout, String ehloName, Clock clock) {
        this.trust = trust;
        this.trustName = trustName;
        this.port = port;
        this.timeout = timeout;
        this.ehloName = ehloName;
        this.clock = clock;
    }

    /**
     * The trust anchors of {@code ca_file} (a PEM bundle) when given, otherwise the JDK's trust store.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static X509TrustManager trustManager(Optional<Path> caFile) {
        try {
            KeyStore anchors = null;
            if (caFile.isPresent()) {
                Collection<? extends Certificate> certificates;
                try (InputStream in = Files.newInputStream(caFile.get())) {
                    certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                if (certificates.isEmpty()) {
                    throw new IllegalArgumentException("ca_file " + caFile.get() + ": no PEM certificate found");
                }
                anchors = KeyStore.getInstance("PKCS12");
                anchors.load(null, null);
                int i = 0;
                for (Certificate certificate : certificates) {
                    anchors.setCertificateEntry("ca-" + i++, certificate);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X509TrustManager from " + factory.getAlgorithm());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("ca_file " + caFile.map(Path::toString).orElse("(JDK trust store)")
                    + ": " + e.getMessage(), e);
        }
    }

    /** Every item for {@code address} of MX host {@code mx}; never throws, whatever the server does. */
    public List<CheckItem> probe(String mx, InetAddress address) {
        return probe(mx, address, List.of());
    }

    /**
     * As {@link #probe(String, InetAddress)}, and when {@code usableTlsa} (the host's secure, usable TLSA records)
     * is not empty, an item saying whether the served certificate matches one, and whether MTA-STS and DANE
     * senders then disagree about the host.
     */
    public List<CheckItem> probe(String mx, InetAddress address, List<DaneTlsa> usableTlsa) {
        String subject = subject(mx, address);
        List<CheckItem> items = new ArrayList<>();
        int millis = Math.toIntExact(timeout.toMillis());
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(address, port), millis);
                socket.setSoTimeout(millis);
            } catch (SocketTimeoutException e) {
                items.add(fail(subject, "connect timeout after " + timeout));
                return items;
            } catch (IOException e) {
                items.add(fail(subject, "cannot connect: " + e.getMessage()));
                return items;
            }
            session(socket, mx, subject, usableTlsa, items);
        } catch (IOException e) {
            // closing failed after the items were gathered: nothing to report
        }
        return items;
    }

    /** How every item of {@code address} of MX host {@code mx} names it: {@code mx.example 192.0.2.1:25}, {@code mx.example [2001:db8::1]:25}. */
    public String subject(String mx, InetAddress address) {
        return mx + " " + (address instanceof Inet6Address v6 ? "[" + compressed(v6) + "]" : address.getHostAddress())
                + ":" + port;
    }

    /**
     * RFC 5952 §4.2: the longest run of two or more zero groups written as "::" (the first of equal runs); the
     * JDK writes every group ({@code 0:0:0:0:0:0:0:1}), which nobody recognises as {@code ::1} at a glance.
     */
    static String compressed(Inet6Address address) {
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        String[] groups = (scope < 0 ? text : text.substring(0, scope)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            if (!groups[i].equals("0")) {
                i++;
                continue;
            }
            int end = i;
            while (end < groups.length && groups[end].equals("0")) {
                end++;
            }
            if (end - i > bestLength) {
                bestStart = i;
                bestLength = end - i;
            }
            i = end;
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        return String.join(":", Arrays.copyOfRange(groups, 0, bestStart)) + "::"
                + String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    }

    private void session(Socket socket, String mx, String subject, List<DaneTlsa> usableTlsa, List<CheckItem> items) {
        String step = "greeting";
        try {
            Reply greeting = Reply.read(socket.getInputStream());
            if (greeting.code() != 220) {
                items.add(fail(subject, "greeting is not 220: " + greeting.firstLine()));
                return;
            }
            items.add(ok(subject, "greets: " + greeting.firstLine()));
            step = "EHLO";
            Reply ehlo = command(socket, "EHLO " + ehloName);
            if (ehlo.code() != 250) {
                items.add(fail(subject, "EHLO refused: " + ehlo.firstLine()));
                return;
            }
            if (!ehlo.offers("STARTTLS")) {
                items.add(fail(subject, "STARTTLS not offered in the EHLO reply (RFC 3207); senders cannot use TLS"));
                return;
            }
            items.add(ok(subject, "offers STARTTLS"));
            step = "STARTTLS";
            Reply starttls = command(socket, "STARTTLS");
            if (starttls.code() != 220) {
                items.add(fail(subject, "STARTTLS refused: " + starttls.firstLine()));
                return;
            }
            step = "TLS handshake";
            Recorder recorder = new Recorder();
            SSLSocket tls = handshake(socket, mx, recorder);
            items.add(ok(subject, "TLS completed: " + tls.getSession().getProtocol() + ", " + tls.getSession().getCipherSuite()));
            certificateItems(mx, subject, recorder, items);
            if (!usableTlsa.isEmpty() && recorder.chain != null && recorder.chain.length > 0) {
                items.add(daneItem(subject, recorder, usableTlsa));
            }
            quit(tls);
        } catch (SocketTimeoutException e) {
            items.add(fail(subject, "no " + step + " reply within " + timeout));
        } catch (IOException e) {
            items.add(fail(subject, step + " failed: " + e.getMessage()));
        }
    }

    private SSLSocket handshake(Socket plain, String mx, Recorder recorder) throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {recorder}, null);
        } catch (GeneralSecurityException e) {
            throw new SSLException("no TLS context: " + e.getMessage(), e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, mx, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(mx)));
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(plain.getSoTimeout());
        tls.startHandshake();
        return tls;
    }

    private void certificateItems(String mx, String subject, Recorder recorder, List<CheckItem> items) {
        X509Certificate[] chain = recorder.chain;
        if (chain == null || chain.length == 0) {
            items.add(fail(subject, "the server presented no certificate"));
            return;
        }
        X509Certificate leaf = chain[0];
        if (recorder.problem == null) {
            items.add(ok(subject, "certificate chain validates against " + trustName + " (issuer "
                    + leaf.getIssuerX500Principal().getName() + ")"));
        } else {
            items.add(fail(subject, "certificate chain does not validate against " + trustName + ": "
                    + rootMessage(recorder.problem)));
        }
        items.add(nameItem(mx, subject, leaf));
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant now = clock.instant();
        long days = Duration.between(now, notAfter).toDays();
        if (notAfter.isBefore(now)) {
            items.add(fail(subject, "certificate expired on " + notAfter));
        } else if (days < EXPIRY_WARNING_DAYS) {
            items.add(warn(subject, "certificate expires in " + days + " days (" + notAfter + "), under "
                    + EXPIRY_WARNING_DAYS));
        } else {
            items.add(ok(subject, "certificate valid for " + days + " more days (until " + notAfter + ")"));
        }
    }

    /** RFC 7672 §3.1: DANE-EE(3) records match the leaf, DANE-TA(2) records a CA certificate of the chain. */
    private CheckItem daneItem(String subject, Recorder recorder, List<DaneTlsa> usableTlsa) {
        X509Certificate[] chain = recorder.chain;
        Optional<DaneTlsa> match = Optional.empty();
        try {
            for (DaneTlsa record : usableTlsa) {
                for (int i = record.usage() == 3 ? 0 : 1; i < (record.usage() == 3 ? 1 : chain.length); i++) {
                    if (record.matches(chain[i].getEncoded(), chain[i].getPublicKey().getEncoded())) {
                        match = Optional.of(record);
                    }
                }
            }
        } catch (CertificateException e) {
            return CheckItem.fail(CheckSection.DANE, subject, "the served certificate cannot be encoded: "
                    + e.getMessage());
        }
        boolean webPki = recorder.problem == null;
        if (match.isPresent()) {
            return webPki
                    ? CheckItem.ok(CheckSection.DANE, subject, "certificate matches TLSA " + match.get())
                    : CheckItem.warn(CheckSection.DANE, subject, "certificate matches TLSA " + match.get() + " but"
                            + " does not validate against " + trustName + ": MTA-STS and DANE disagree, DANE senders"
                            + " accept this host and MTA-STS senders refuse it");
        }
        return CheckItem.fail(CheckSection.DANE, subject, "certificate matches none of the usable TLSA records "
                + usableTlsa + (webPki ? ": MTA-STS and DANE disagree, MTA-STS senders accept this host and DANE"
                        + " senders refuse it" : ": DANE senders refuse this host"));
    }

    private static CheckItem nameItem(String mx, String subject, X509Certificate leaf) {
        List<String> sans = dnsSans(leaf);
        for (String san : sans) {
            if (sanMatches(san, mx)) {
                return ok(subject, mx + " is in the subjectAltName (" + san + ")");
            }
        }
        Optional<String> cn = commonName(leaf);
        if (cn.isPresent() && sanMatches(cn.get(), mx)) {
            return fail(subject, mx + " is only in the Common Name, not in the subjectAltName "
                    + (sans.isEmpty() ? "(the certificate has no DNS SAN)" : sans)
                    + "; RFC 8461 §4.1 senders check the SAN");
        }
        return fail(subject, "certificate is not for " + mx + ": subjectAltName " + sans
                + cn.map(c -> ", CN " + c).orElse("") + " (RFC 8461 §4.1)");
    }

    /** RFC 8461 §4.1 / RFC 6125 §6.4: exact or a wildcard for the whole left-most label, case-insensitive. */
    private static boolean sanMatches(String name, String mx) {
        try {
            return MxPattern.parse(name).matches(mx);
        } catch (IllegalArgumentException notAHostName) {
            return false;
        }
    }

    private static List<String> dnsSans(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    // GeneralName tag 2: dNSName
                    if (Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String name) {
                        names.add(name.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unparseable SAN extension names nobody
        }
        return names;
    }

    private static Optional<String> commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            // no readable subject: no CN
        }
        return Optional.empty();
    }

    private static void quit(SSLSocket tls) {
        try {
            write(tls.getOutputStream(), "QUIT");
            Reply.read(tls.getInputStream());
        } catch (IOException e) {
            // the check is complete; a server that drops the line at QUIT changes nothing
        }
    }

    private static Reply command(Socket socket, String line) throws IOException {
        write(socket.getOutputStream(), line);
        return Reply.read(socket.getInputStream());
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static CheckItem ok(String subject, String reason) {
        return CheckItem.ok(CheckSection.SMTP, subject, reason);
    }

    private static CheckItem warn(String subject, String reason) {
        return CheckItem.warn(CheckSection.SMTP, subject, reason);
    }

    private static CheckItem fail(String subject, String reason) {
        return CheckItem.fail(CheckSection.SMTP, subject, reason);
    }

    /** An SMTP reply (RFC 5321 §4.2): one or more lines {@code ddd-text}, the last {@code ddd text}. */
    private record Reply(int code, List<String> lines) {

        static Reply read(InputStream in) throws IOException {
            List<String> lines = new ArrayList<>();
            while (lines.size() < MAX_REPLY_LINES) {
                String line = readLine(in);
                if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
                        || (line.length() > 3 && line.charAt(3) != '-' && line.charAt(3) != ' ')) {
                    throw new IOException("not an SMTP reply: \"" + line + "\"");
                }
                lines.add(line);
                if (line.length() == 3 || line.charAt(3) == ' ') {
                    return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
                }
            }
            throw new IOException("reply longer than " + MAX_REPLY_LINES + " lines");
        }

        /** Reads byte by byte: nothing past the reply may be consumed before the TLS handshake takes the socket. */
        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (line.size() <= MAX_LINE) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed by the server"
                            + (line.size() == 0 ? "" : " after \"" + line.toString(StandardCharsets.US_ASCII) + "\""));
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.US_ASCII);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
            throw new IOException("reply line longer than " + MAX_LINE + " bytes");
        }

        String firstLine() {
            return lines.get(0);
        }

        /** Whether an EHLO keyword (RFC 5321 §4.1.1.1) is among the lines after the greeting line. */
        boolean offers(String keyword) {
            for (String line : lines.subList(1, lines.size())) {
                String text = line.length() > 4 ? line.substring(4).strip() : "";
                int space = text.indexOf(' ');
                if ((space < 0 ? text : text.substring(0, space)).equalsIgnoreCase(keyword)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Accepts every server certificate so the handshake completes, and records the chain together with the trust
     * anchors' verdict on it (without the JDK's identity check, done separately on the SAN).
     */
    private final class Recorder extends X509ExtendedTrustManager {
        private volatile X509Certificate[] chain;
        private volatile CertificateException problem;

        private void record(X509Certificate[] presented, String authType) {
            chain = presented.clone();
            try {
                trust.checkServerTrusted(presented, authType);
            } catch (CertificateException e) {
                problem = e;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] presented, String authType, Socket socket) {
            record(presented, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] presented, String authType, SSLEngine engine) {
            record(presented, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] presented, String authType) {
            record(presented, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] presented, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a client of this check never authenticates clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] presented, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client of this check never authenticates clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] presented, String authType) throws CertificateException {
            throw new CertificateException("a client of this check never authenticates clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
