package io.github.mtasts.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A throwaway Postfix instance ({@code postfix -c DIR}) living entirely under one directory: no chroot, no
 * syslog (postlogd writes {@code maillog}), IPv4 only. See ../shared/postfix/PITFALLS.md for why each setting
 * is what it is.
 */
final class PostfixInstance implements AutoCloseable {

    /** Debian's services, without chroot; the caller adds its listeners. */
    private static final String MASTER_CF = """
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            tlsmgr    unix  -       -       n       1000?   1       tlsmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            proxywrite unix -       -       n       -       1       proxymap
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            virtual   unix  -       n       n       -       -       virtual
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;

    private final Path dir;
    private final PostfixBuild build;
    private boolean running;

    private PostfixInstance(Path dir, PostfixBuild build) {
        this.dir = dir;
        this.build = build;
    }

    /**
     * Creates the instance under {@code dir} (which must not exist yet) and starts it.
     *
     * @param worldDir  the world's root directory, allowed as a {@code maillog_file} prefix
     * @param settings  main.cf settings added to (or overriding) the common ones
     * @param listeners master.cf lines for the instance's smtpd listeners, if any
     */
    static PostfixInstance start(Path worldDir, Path dir, String syslogName, Map<String, String> settings,
            List<String> listeners) {
        return start(PostfixBuild.DEBIAN, worldDir, dir, syslogName, settings, listeners);
    }

    /** Like {@link #start(Path, Path, String, Map, List)} with the commands and daemons of {@code build}. */
    static PostfixInstance start(PostfixBuild build, Path worldDir, Path dir, String syslogName,
            Map<String, String> settings, List<String> listeners) {
        PostfixInstance instance = new PostfixInstance(dir, build);
        try {
            Files.createDirectories(dir.resolve("etc"));
            Files.createDirectories(dir.resolve("spool"));
            Files.createDirectories(dir.resolve("data"));
            Commands.check("chown", "postfix:postfix", dir.resolve("data").toString());
            Map<String, String> main = new LinkedHashMap<>();
            main.put("compatibility_level", "3.6");
            main.put("queue_directory", dir.resolve("spool").toString());
            main.put("data_directory", dir.resolve("data").toString());
            main.put("maillog_file", instance.maillog().toString());
            main.put("maillog_file_prefixes", worldDir.toString());
            main.put("syslog_name", syslogName);
            main.put("mydestination", "");
            main.put("inet_protocols", "ipv4");
            main.put("mynetworks", "127.0.0.0/8");
            main.put("alias_maps", "");
            main.put("alias_database", "");
            main.put("local_recipient_maps", "");
            main.put("local_transport", "error:local delivery is disabled in the test world");
            main.putAll(settings);
            StringBuilder mainCf = new StringBuilder();
            main.forEach((key, value) -> mainCf.append(key).append(" = ").append(value).append('\n'));
            Files.writeString(instance.configDir().resolve("main.cf"), mainCf);
            Files.writeString(instance.configDir().resolve("master.cf"),
                    MASTER_CF + String.join("\n", listeners) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Postfix instance in " + dir, e);
        }
        Commands.check(build.command("postfix"), "-c", instance.configDir().toString(), "start");
        instance.running = true;
        return instance;
    }

    Path dir() {
        return dir;
    }

    /** The command {@code name} of this instance's Postfix, for {@code -c}/{@code -C} with {@link #configDir()}. */
    String command(String name) {
        return build.command(name);
    }

    Path configDir() {
        return dir.resolve("etc");
    }

    Path maillog() {
        return dir.resolve("maillog");
    }

    /** The log written so far (empty before postlogd wrote its first line). */
    List<String> logLines() {
        try {
            return Files.exists(maillog()) ? Files.readAllLines(maillog()) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** postfix -c DIR stop, waiting until the master process has gone. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        String etc = configDir().toString();
        String postfix = build.command("postfix");
        Commands.run(postfix, "-c", etc, "stop");
        Waits.until("Postfix in " + dir + " to stop", Waits.GENEROUS,
                () -> Commands.run(postfix, "-c", etc, "status").exitCode() != 0);
    }
}
