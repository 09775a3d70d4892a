package io.github.mtasts.resolver.discovery;

import java.util.concurrent.CompletableFuture;

/** Finds the current MTA-STS policy of a policy domain; never completes exceptionally. */
public interface PolicyDiscovery {

    /**
     * @param domain normalised policy domain (lowercase A-labels, no trailing dot)
     * @param knownTxtId id of the policy the caller already holds, or null; when the published id equals it
     *                   the result is {@link DiscoveryResult.Unchanged} and no HTTPS fetch is made
     */
    CompletableFuture<DiscoveryResult> discover(String domain, String knownTxtId);
}
