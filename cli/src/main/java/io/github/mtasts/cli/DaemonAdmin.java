package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.tlsrpt.config.DashboardConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Tells a running daemon to re-read the store after a cache command changed it: {@code POST /admin/cache/reload}
 * on the daemon's HTTP listener ({@code http.host:port}), with the dashboard's credentials when they are set. The
 * daemon only re-reads its store there, so the store's own credentials stay what guards a change.
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

    private final DaemonConfig config;
    private final DashboardConfig dashboard;

    /** @param dashboard the credentials the daemon's listener requires, when set */
    DaemonAdmin(DaemonConfig config, DashboardConfig dashboard) {
        this.config = config;
        this.dashboard = dashboard;
    }

    /** The daemon re-reads {@code domain} from its store. */
    Outcome reload(String domain) {
        return post("domain=" + URLEncoder.encode(domain, StandardCharsets.UTF_8));
    }

    /** The daemon drops every policy it holds in memory; each is read from the store at its next lookup. */
    Outcome reloadAll() {
        return post("all");
    }

    /** Where the daemon's listener is, for messages. */
    String address() {
        return "http://" + hostForUri() + ":" + config.http().port();
    }

    private Outcome post(String query) {
        if (!config.metrics() && !dashboard.enabled()) {
            return new Outcome.NotRunning("the daemon's HTTP listener is off (neither metrics nor dashboard is"
                    + " enabled), so a running daemon cannot be told");
        }
        URI uri = URI.create(address() + "/admin/cache/reload?" + query);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody());
        authorization(dashboard).ifPresent(value -> request.header("Authorization", value));
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).proxy(HttpClient.Builder.NO_PROXY)
                .build();
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body().strip();
            return response.statusCode() == 200 ? new Outcome.Done(body)
                    : new Outcome.Refused("HTTP " + response.statusCode() + ": " + body);
        } catch (ConnectException e) {
            return new Outcome.NotRunning("no daemon answers at " + address());
        } catch (HttpTimeoutException e) {
            return new Outcome.Refused("no answer from " + address() + " within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            return new Outcome.Refused(address() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Refused("interrupted");
        }
    }

    /** A listener on every address is reached on loopback, where it needs no credentials. */
    private String hostForUri() {
        String host = config.http().host();
        try {
            InetAddress address = InetAddress.getByName(host);
            if (address.isAnyLocalAddress()) {
                return address.getAddress().length == 4 ? "127.0.0.1" : "[::1]";
            }
            return host.contains(":") ? "[" + host + "]" : host;
        } catch (UnknownHostException e) {
            return host;
        }
    }

    private static Optional<String> authorization(DashboardConfig dashboard) {
        if (dashboard.token().isPresent()) {
            return Optional.of("Bearer " + dashboard.token().get());
        }
        return dashboard.basicAuth().map(basic -> "Basic " + Base64.getEncoder().encodeToString(
                (basic.username() + ":" + basic.password()).getBytes(StandardCharsets.UTF_8)));
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
