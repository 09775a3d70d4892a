package io.github.mtasts.resolver.discovery;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} as RFC 8461 §3.3 requires: WebPKI-valid
 * certificate for the policy host (SNI and host name verification are HttpClient defaults), status 200 only,
 * no redirects, {@code text/plain}, at most {@value #MAX_BODY_BYTES} bytes, bounded in time.
 */
public final class PolicyFetcher {

    /** The one limit, {@link StsPolicy#MAX_BODY_BYTES}, which {@code mtasts lint policy} applies too. */
    public static final int MAX_BODY_BYTES = StsPolicy.MAX_BODY_BYTES;
    public static final int HTTPS_PORT = 443;
    /** TLS sessions kept for resumption, per trust (SSLContext) this class builds. */
    public static final int TLS_SESSIONS_KEPT = 1_024;

    private final Supplier<SSLContext> trust;
    private final Optional<ProxySelector> proxy;
    private final Duration timeout;
    private final int port;
    /**
     * Built once, by {@link #warmUp()} or the first fetch, whichever comes first (the other waits for it): a daemon
     * answering from its store needs no TLS before it listens (a third of its start-up).
     */
    private volatile HttpClient client;

    /**
     * @param timeout  bound for one fetch: connect, TLS handshake, headers and body together
     * @param trust    the SSLContext validating policy hosts ({@link #defaultTrust()} or {@link #trustFrom(Path)})
     * @param proxy    proxy selector, e.g. {@link #environmentProxy()}
     * @param port     HTTPS port of policy hosts: {@value #HTTPS_PORT} except in tests
     */
    public PolicyFetcher(Duration timeout, SSLContext trust, Optional<ProxySelector> proxy, int port) {
        this(timeout, () -> trust, proxy, port);
    }

    /**
     * As {@link #PolicyFetcher(Duration, SSLContext, Optional, int)}, with the SSLContext created on the first
     * fetch: initialising TLS (the JDK trust store, the providers) is the costliest part of a daemon's start.
     */
    public PolicyFetcher(Duration timeout, Supplier<SSLContext> trust, Optional<ProxySelector> proxy, int port) {
        this.trust = Objects.requireNonNull(trust, "trust");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.port = port;
    }

    private HttpClient client() {
        HttpClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    HttpClient.Builder builder = HttpClient.newBuilder()
                            .sslContext(trust.get())
                            // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(timeout)
                            // One small GET per policy needs nothing from HTTP/2; on JDK 17 the HTTP/2 negotiation
                            // path held a response whose body we refuse unread (404, wrong type) until the request
                            // timeout.
                            .version(HttpClient.Version.HTTP_1_1);
                    proxy.ifPresent(builder::proxy);
                    built = builder.build();
                    client = built;
                }
            }
        }
        return built;
    }

    /**
     * Prepares the first fetch without any network traffic: builds the SSLContext and the HttpClient every fetch
     * then uses, and has an SSLEngine write a ClientHello, which loads the TLS handshake code. A daemon runs this
     * in the background once it answers, so that its first discovery pays only for the connection.
     *
     * @throws RuntimeException when the trust material cannot be built; each fetch then tries again (and fails as
     *                          it would have without this)
     * @throws SSLException     when the TLS engine cannot produce a ClientHello
     */
    public void warmUp() throws SSLException {
        HttpClient built = client();
        SSLEngine engine = built.sslContext().createSSLEngine("mta-sts.warm-up.invalid", port);
        engine.setUseClientMode(true);
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        engine.closeOutbound();
        request(policyUri("warm-up.invalid"));
    }

    private HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                // No cache of our own and none in between: a TLS-intercepting proxy must revalidate too.
                .header("Cache-Control", "no-cache")
                .GET()
                .build();
    }

    /**
     * A fetcher trusting {@code ca_file} or the JDK trust store, with the proxy from the environment.
     *
     * @param port HTTPS port of policy hosts: {@link #HTTPS_PORT} except in tests
     */
    public static PolicyFetcher create(Duration timeout, Optional<Path> caFile, int port) {
        SSLContext trust = caFile.map(PolicyFetcher::trustFrom).orElseGet(PolicyFetcher::defaultTrust);
        return new PolicyFetcher(timeout, trust, environmentProxy(), port);
    }

    /** {@code https_proxy} / {@code no_proxy} from this process's environment. */
    public static Optional<ProxySelector> environmentProxy() {
        return EnvironmentProxySelector.fromEnvironment(System.getenv());
    }

    /** The JDK's default trust store (as {@code SSLContext.getDefault()}, {@code javax.net.ssl.trustStore} included). */
    public static SSLContext defaultTrust() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            return keepingFewSessions(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Bounds the TLS sessions {@code context} keeps for resumption to {@value #TLS_SESSIONS_KEPT}: a policy host is
     * fetched about once a day, and the JDK would keep up to 20,480 sessions (~1 KiB of heap each) for a day.
     */
    private static SSLContext keepingFewSessions(SSLContext context) {
        context.getClientSessionContext().setSessionCacheSize(TLS_SESSIONS_KEPT);
        return context;
    }

    /**
     * Trusts exactly the certificates of the PEM bundle {@code caFile} ({@code ca_file}), instead of the JDK's
     * trust store.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static SSLContext trustFrom(Path caFile) {
        return trusting(caFile, readCaFile(caFile));
    }

    /**
     * Reads the PEM bundle {@code caFile} into a trust store: the part of {@link #trustFrom(Path)} that can fail
     * on the operator's file, so that a daemon can check it at start-up and build the SSLContext on first use.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static KeyStore readCaFile(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("ca_file " + caFile + ": no PEM certificate found");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("ca_file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** An SSLContext trusting exactly the certificates {@link #readCaFile(Path)} read from {@code caFile}. */
    public static SSLContext trusting(Path caFile, KeyStore certificates) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(certificates);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), new SecureRandom());
            return keepingFewSessions(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ca_file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** The policy URL of {@code domain} (RFC 8461 §3.3). */
    public URI policyUri(String domain) {
        String authority = "mta-sts." + domain + (port == HTTPS_PORT ? "" : ":" + port);
        return URI.create("https://" + authority + "/.well-known/mta-sts.txt");
    }

    /** Fetches the policy of the normalised policy domain {@code domain}; never completes exceptionally. */
    public CompletableFuture<FetchResult> fetch(String domain) {
        URI uri;
        try {
            uri = policyUri(domain);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(
                    new FetchResult.Failure(FailureType.POLICY_FETCH_ERROR, "invalid policy URL for " + domain + ": " + e.getMessage()));
        }
        HttpRequest request = request(uri);
        CompletableFuture<HttpResponse<FetchResult>> exchange;
        try {
            exchange = client().sendAsync(request, info -> handle(uri, info));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new FetchResult.Failure(FailureType.POLICY_FETCH_ERROR, uri + ": " + e));
        }
        CompletableFuture<FetchResult> result = new CompletableFuture<>();
        exchange.whenComplete((response, error) -> result.complete(
                error == null ? response.body() : classify(uri, error)));
        // HttpRequest.timeout stops at the response headers; this bounds the body as well.
        result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(error -> {
            exchange.cancel(true);
            return null;
        });
        return result.exceptionally(error -> classify(uri, error));
    }

    private HttpResponse.BodySubscriber<FetchResult> handle(URI uri, HttpResponse.ResponseInfo info) {
        int status = info.statusCode();
        if (status >= 300 && status < 400) {
            String location = info.headers().firstValue("Location").orElse("(no Location)");
            return refuse(uri + ": HTTP " + status + " redirect to " + location + " not followed (RFC 8461 §3.3)");
        }
        if (status != 200) {
            return refuse(uri + ": HTTP status " + status + ", expected 200");
        }
        Optional<String> contentType = info.headers().firstValue("Content-Type");
        if (contentType.isEmpty() || !isTextPlain(contentType.get())) {
            return refuse(uri + ": Content-Type " + contentType.map(t -> "\"" + t + "\"").orElse("missing")
                    + ", expected text/plain");
        }
        Optional<Long> length = info.headers().firstValueAsLong("Content-Length").stream().boxed().findFirst();
        if (length.isPresent() && length.get() > MAX_BODY_BYTES) {
            return refuse(uri + ": Content-Length " + length.get() + " exceeds " + MAX_BODY_BYTES + " bytes");
        }
        return new CappedBody(uri);
    }

    /** RFC 8461 §3.3: media type "text/plain"; parameters such as charset are allowed; type names are case-insensitive. */
    static boolean isTextPlain(String contentType) {
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.toLowerCase(Locale.ROOT).equals("text/plain");
    }

    private static HttpResponse.BodySubscriber<FetchResult> refuse(String detail) {
        // The body is not read: cancelling the subscription closes the connection instead of draining it.
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<FetchResult> result =
                    CompletableFuture.completedFuture(new FetchResult.Failure(FailureType.POLICY_FETCH_ERROR, detail));

            @Override
            public CompletableFuture<FetchResult> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        };
    }

    /** Collects the body and gives up as soon as it passes {@link #MAX_BODY_BYTES}, whatever Content-Length said. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<FetchResult> {
        private final URI uri;
        private final CompletableFuture<FetchResult> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(URI uri) {
            this.uri = uri;
        }

        @Override
        public CompletableFuture<FetchResult> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > MAX_BODY_BYTES) {
                    subscription.cancel();
                    result.complete(new FetchResult.Failure(FailureType.POLICY_FETCH_ERROR,
                            uri + ": body exceeds " + MAX_BODY_BYTES + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            try {
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes.toByteArray()))
                        .toString();
                result.complete(new FetchResult.Body(text));
            } catch (CharacterCodingException e) {
                result.complete(new FetchResult.Failure(FailureType.POLICY_INVALID, uri + ": body is not valid UTF-8"));
            }
        }
    }

    private FetchResult classify(URI uri, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
            String what = cause instanceof HttpConnectTimeoutException ? "connect timeout" : "timeout";
            return new FetchResult.Failure(FailureType.POLICY_FETCH_ERROR, uri + ": " + what + " after " + timeout);
        }
        Throwable certificateProblem = certificateProblem(cause);
        if (certificateProblem != null) {
            return new FetchResult.Failure(FailureType.WEBPKI_INVALID,
                    uri + ": certificate not valid for mta-sts host: " + rootMessage(certificateProblem));
        }
        if (cause instanceof SSLException) {
            return new FetchResult.Failure(FailureType.POLICY_FETCH_ERROR, uri + ": TLS failure: " + rootMessage(cause));
        }
        return new FetchResult.Failure(FailureType.POLICY_FETCH_ERROR, uri + ": " + rootMessage(cause));
    }

    /** A handshake that failed because the server's certificate or chain did not validate (not e.g. a protocol mismatch). */
    private static Throwable certificateProblem(Throwable error) {
        if (!(error instanceof SSLHandshakeException)) {
            return null;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException
                    || t instanceof CertPathBuilderException) {
                return t;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public String toString() {
        return "PolicyFetcher[timeout=" + timeout + ", port=" + port + "]";
    }
}
