package io.github.mtasts.tlsrpt.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The real reports in {@code src/test/resources/tlsrpt-samples} (see SOURCES.txt there). */
public final class Samples {

    private Samples() {
    }

    public static String read(String name) {
        try (InputStream in = Samples.class.getResourceAsStream("/tlsrpt-samples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
