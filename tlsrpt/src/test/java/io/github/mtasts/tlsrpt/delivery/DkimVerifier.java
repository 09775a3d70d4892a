package io.github.mtasts.tlsrpt.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs dkimpy (Debian package {@code python3-dkim}, with {@code python3-nacl} for Ed25519) through
 * {@code src/test/resources/dkim-verify.py}: a verifier independent of the signing library.
 */
final class DkimVerifier {

    /** The verifier's verdict and what it printed. */
    record Verdict(boolean verified, String output) {
    }

    private DkimVerifier() {
    }

    static Verdict verify(byte[] message, String keyName, String keyRecord) throws IOException, InterruptedException {
        Path script;
        try {
            script = Path.of(DkimVerifier.class.getResource("/dkim-verify.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        // Debian's interpreter, where python3-dkim installs the dkim module (not whatever python3 is first on PATH)
        Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), keyName, keyRecord)
                .redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(message);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("dkim-verify.py did not finish: " + output);
        }
        return new Verdict(process.exitValue() == 0, output);
    }
}
