package io.github.mtasts.tlsrpt.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Python checks independent of Jakarta Mail and the signing library: dkimpy (Debian package {@code python3-dkim})
 * through {@code src/test/resources/dkim-verify.py}, and Python's email parser through {@code tlsrpt-mail-check.py}.
 */
final class PythonChecks {

    /** The script's verdict (exit status 0) and what it printed. */
    record Verdict(boolean verified, String output) {
    }

    private PythonChecks() {
    }

    static Verdict verify(byte[] message, String keyName, String keyRecord) throws IOException, InterruptedException {
        return runScript("dkim-verify.py", message, keyName, keyRecord);
    }

    /** Runs a Python script from the test resources with {@code message} on stdin. */
    static Verdict runScript(String name, byte[] message, String... args) throws IOException, InterruptedException {
        Path script;
        try {
            script = Path.of(PythonChecks.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString()));
        command.addAll(List.of(args));
        // Debian's interpreter, where python3-dkim installs the dkim module (not whatever python3 is first on PATH)
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(message);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish: " + output);
        }
        return new Verdict(process.exitValue() == 0, output);
    }
}
