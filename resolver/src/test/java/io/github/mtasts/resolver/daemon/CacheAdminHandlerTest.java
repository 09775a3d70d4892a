package io.github.mtasts.resolver.daemon;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CacheAdminHandlerTest {

    static final String DOMAIN = "admin.example";

    private final MemoryPolicyStore store = new MemoryPolicyStore(100);
    private final AtomicInteger discoveries = new AtomicInteger();
    private final PolicyCache cache = new PolicyCache((domain, knownTxtId) -> {
        discoveries.incrementAndGet();
        return CompletableFuture.completedFuture(new DiscoveryResult.NoPolicy("none published"));
    }, store, CacheSettings.defaults(), Clock.systemUTC());
    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    private HttpEndpoint endpoint;

    @AfterEach
    void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        cache.close();
        store.close();
    }

    private void serve(String host, HttpAccess access) throws Exception {
        endpoint = HttpEndpoint.start(host, 0, access, Map.of(CacheAdminHandler.PATH, new CacheAdminHandler(cache)));
    }

    private HttpResponse<String> send(String host, String method, String pathAndQuery, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":"
                + endpoint.address().getPort() + pathAndQuery)).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String pathAndQuery) throws Exception {
        return send("127.0.0.1", "POST", pathAndQuery, null);
    }

    @Test
    void reloadServesWhatTheStoreNowHolds() throws Exception {
        serve("127.0.0.1", HttpAccess.OPEN);
        store.save(CachedPolicy.fetched(DOMAIN, "id2", enforce(86_400, "mx.admin.example"),
                Instant.ofEpochSecond(Instant.now().getEpochSecond())));

        HttpResponse<String> response = post("/admin/cache/reload?domain=Admin.Example.");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("held admin.example id id2 expires ");
        CompletableFuture<Optional<CachedPolicy>> answer = cache.lookup(DOMAIN);
        assertThat(answer).as("served from memory").isDone();
        assertThat(answer.join()).get().extracting(CachedPolicy::txtId).isEqualTo("id2");
        assertThat(discoveries).hasValue(0);
    }

    @Test
    void reloadOfADomainTheStoreDoesNotHoldForgetsIt() throws Exception {
        serve("127.0.0.1", HttpAccess.OPEN);

        assertThat(post("/admin/cache/reload?domain=admin.example").body()).isEqualTo("forgot admin.example\n");
        assertThat(post("/admin/cache/reload?all").body()).startsWith("forgot all");
    }

    @Test
    void badRequestsAreRefusedWithTheReason() throws Exception {
        serve("127.0.0.1", HttpAccess.OPEN);

        assertThat(post("/admin/cache/reload").statusCode()).isEqualTo(400);
        assertThat(post("/admin/cache/reload?domain=192.0.2.1").statusCode()).isEqualTo(400);
        assertThat(post("/admin/cache/purge?domain=admin.example").statusCode()).isEqualTo(404);
        assertThat(send("127.0.0.1", "GET", "/admin/cache/reload?all", null).statusCode()).isEqualTo(405);
    }

    @Test
    void configuredCredentialsAreRequiredEvenOnLoopback() throws Exception {
        serve("127.0.0.1", HttpAccess.of(Optional.of("s3cret"), Optional.of("admin"), Optional.of("pw")));

        assertThat(post("/admin/cache/reload?all").statusCode()).isEqualTo(401);
        assertThat(send("127.0.0.1", "POST", "/admin/cache/reload?all", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(send("127.0.0.1", "POST", "/admin/cache/reload?all", "Bearer s3cret").statusCode()).isEqualTo(200);
        String basic = "Basic " + Base64.getEncoder().encodeToString("admin:pw".getBytes());
        assertThat(send("127.0.0.1", "POST", "/admin/cache/reload?all", basic).statusCode()).isEqualTo(200);
    }

    @Test
    void withoutCredentialsNoListenerServesItOffLoopback() throws Exception {
        // the listener's rule, not the handler's: open to everyone means loopback only
        assertThatThrownBy(() -> serve("0.0.0.0", HttpAccess.OPEN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address");
        serve("127.0.0.1", HttpAccess.OPEN);
        assertThat(post("/admin/cache/reload?all").statusCode()).isEqualTo(200);
    }
}
