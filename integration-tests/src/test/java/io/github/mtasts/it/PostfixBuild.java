package io.github.mtasts.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Postfix a test instance runs: Debian's package (commands on the PATH, 3.7, no TLSRPT) or one built from
 * source with TLSRPT by {@code src/test/postfix/build-postfix.sh}, whose commands live under its own install
 * root with their paths compiled in.
 *
 * <p>The build runs on first use from here rather than from {@code .ci/run}: then {@code mvn verify} alone is
 * enough on any machine, a run that selects no test needing it pays nothing, and the script's cache (keyed by
 * the tarballs' and its own checksums) makes every later run, CI or local, reuse the result.
 */
record PostfixBuild(String version, Path commandDirectory) {

    /** Debian 12's Postfix 3.7, built without TLSRPT. */
    static final PostfixBuild DEBIAN = new PostfixBuild("3.7 (Debian)", null);

    private static final Map<String, PostfixBuild> BUILT = new ConcurrentHashMap<>();

    /** Postfix {@code version} with TLSRPT, built now unless the cache has it (one build per version and JVM). */
    static PostfixBuild withTlsrpt(String version) {
        return BUILT.computeIfAbsent(version, PostfixBuild::build);
    }

    private static PostfixBuild build(String version) {
        Path script = Path.of(System.getProperty("mtasts.root"), "integration-tests", "src", "test", "postfix",
                "build-postfix.sh");
        Commands.Result result = Commands.runLong(List.of(script.toString(), version));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("cannot build Postfix " + version + ": " + result.describe());
        }
        String[] lines = result.stdout().strip().split("\n");
        Path sbin = Path.of(lines[lines.length - 1], "usr", "sbin");
        if (!Files.isExecutable(sbin.resolve("postfix"))) {
            throw new IllegalStateException("the Postfix " + version + " build left no " + sbin.resolve("postfix"));
        }
        return new PostfixBuild(version, sbin);
    }

    /** The command {@code name} of this Postfix ({@code postfix}, {@code sendmail}, {@code postqueue} ...). */
    String command(String name) {
        return commandDirectory == null ? name : commandDirectory.resolve(name).toString();
    }

    @Override
    public String toString() {
        return "Postfix " + version;
    }
}
