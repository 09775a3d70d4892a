package io.github.mtasts.tlsrpt.datagrams;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The real datagrams Postfix 3.11.6 sent through libtlsrpt (test resources {@code datagrams/}), in run order. */
public final class CapturedDatagrams {
    public static final int COUNT = 8;

    private CapturedDatagrams() {
    }

    /** Datagram {@code n}, 1-based: 1 ok.test success, 2 self-signed, 3 no STARTTLS, 4 wrong name, 5 webpki, 6-8 no policy. */
    public static byte[] get(int n) {
        String name = String.format("/datagrams/postfix-3.11.6/datagram-%03d.json", n);
        try (InputStream in = CapturedDatagrams.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<byte[]> all() {
        List<byte[]> all = new ArrayList<>();
        for (int n = 1; n <= COUNT; n++) {
            all.add(get(n));
        }
        return all;
    }
}
