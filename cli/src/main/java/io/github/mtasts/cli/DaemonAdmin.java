package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.socketmap.CacheAdminResponder;
import io.github.mtasts.resolver.socketmap.Netstring;
import io.github.mtasts.resolver.socketmap.NetstringException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells a running daemon to re-read the store after a cache command changed it, on the listener every daemon has:
 * a socketmap request on the reserved map name {@value CacheAdminResponder#MAP_NAME} ({@code reload:DOMAIN} or
 * {@code reload-all}) to {@code host:port} or the UNIX socket {@code path}. The daemon only re-reads its store there,
 * so the store's own credentials stay what guards a change; reaching the socket is what a Postfix lookup needs.
 */
final class DaemonAdmin {

    /** What became of the request. */
    sealed interface Outcome {
        /** The daemon re-read the store; {@code reply} is its one-line account. */
        record Done(String reply) implements Outcome {}

        /** Nothing listens: no daemon runs, or it runs elsewhere. */
        record NotRunning(String why) implements Outcome {}

        /** The daemon was reached but did not re-read the store. */
        record Refused(String why) implements Outcome {}
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final int MAX_REPLY = 4096;

    private final DaemonConfig config;

    DaemonAdmin(DaemonConfig config) {
        this.config = config;
    }

    /** The daemon re-reads {@code domain} from its store. */
    Outcome reload(String domain) {
        return ask("reload:" + domain);
    }

    /** The daemon drops every policy it holds in memory; each is read from the store at its next lookup. */
    Outcome reloadAll() {
        return ask("reload-all");
    }

    /** Where the daemon's socketmap listener is, for messages. */
    String address() {
        return config.path().map(Object::toString)
                .orElseGet(() -> config.host() + ":" + config.port());
    }

    private SocketAddress target() {
        if (config.path().isPresent()) {
            return UnixDomainSocketAddress.of(config.path().get());
        }
        // a daemon listening on every address is reached on loopback
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host().equals("::") ? "::1"
                : config.host();
        return new InetSocketAddress(host, config.port());
    }

    /** One request, bounded by {@link #TIMEOUT} as a whole: connect, write, read the one reply. */
    private Outcome ask(String key) {
        CompletableFuture<Outcome> exchange = CompletableFuture.supplyAsync(() -> exchange(key));
        try {
            return exchange.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return new Outcome.Refused("no answer from " + address() + " within " + TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Refused("interrupted");
        } catch (ExecutionException e) {
            return new Outcome.Refused(address() + ": " + e.getCause());
        }
    }

    private Outcome exchange(String key) {
        SocketAddress target = target();
        try (SocketChannel channel = target instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
            try {
                channel.connect(target);
            } catch (IOException e) {
                return new Outcome.NotRunning("no daemon answers at " + address() + " (" + e.getMessage() + ")");
            }
            ByteBuffer request = ByteBuffer.wrap(Netstring.encode(CacheAdminResponder.MAP_NAME + " " + key));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            Netstring.Decoder decoder = new Netstring.Decoder(MAX_REPLY);
            ByteBuffer input = ByteBuffer.allocate(MAX_REPLY + 16);
            while (true) {
                input.clear();
                if (channel.read(input) < 0) {
                    return new Outcome.Refused(address() + " closed the connection without a reply");
                }
                input.flip();
                Optional<byte[]> reply = decoder.next(input);
                if (reply.isPresent()) {
                    String text = new String(reply.get(), StandardCharsets.UTF_8);
                    return text.startsWith("OK ") ? new Outcome.Done(text.substring(3))
                            : new Outcome.Refused(text);
                }
            }
        } catch (IOException | NetstringException e) {
            return new Outcome.Refused(address() + ": " + e.getMessage());
        }
    }

    /**
     * Prints what became of telling the daemon and returns the exit code: {@code ok} when it re-read the store or
     * none runs, {@link CacheSubcommand#DAEMON_REFUSED} when it did not.
     *
     * @param what the change, for the message: "the policy of example.com was removed from the store"
     */
    static int report(Outcome outcome, String what, PrintWriter out, PrintWriter err, int ok) {
        if (outcome instanceof Outcome.Done done) {
            out.println("running daemon: " + done.reply());
            return ok;
        }
        if (outcome instanceof Outcome.NotRunning none) {
            err.println(none.why() + ". " + what + "; a daemon reads it at its next miss of the domain or at its"
                    + " next start, but one running now serves what it holds in memory until it restarts");
            return ok;
        }
        err.println("the running daemon did not re-read the store (" + ((Outcome.Refused) outcome).why() + "). "
                + what + ", but the daemon serves its memory copy until it restarts");
        return CacheSubcommand.DAEMON_REFUSED;
    }
}
