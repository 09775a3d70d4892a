package io.github.mtasts.resolver.discovery;

import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Finds the DANE state of a next hop. Never completes exceptionally. */
@FunctionalInterface
public interface DaneDiscovery {

    /**
     * A DANE state and how long it may be cached.
     *
     * @param state the state found
     * @param ttl   the smallest TTL of the DNS answers it was built from (denials by their SOA minimum)
     */
    record Discovered(DaneState state, Duration ttl) {
        public Discovered {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(ttl, "ttl");
        }
    }

    CompletableFuture<Discovered> discover(DaneTarget target);
}
