package io.github.mtasts.resolver.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The administrator's overrides, looked up by policy domain: the most specific entry wins, an exact domain over any
 * {@code .parent} wildcard, a longer parent over a shorter one. Pure and immutable; built once from validated
 * configuration.
 */
public final class PolicyOverrides {

    public static final PolicyOverrides NONE = new PolicyOverrides(List.of());

    private final List<PolicyOverride> entries;
    private final Map<String, PolicyOverride> exact = new HashMap<>();
    /** Wildcards by the domain after their leading '.'. */
    private final Map<String, PolicyOverride> parents = new HashMap<>();

    private PolicyOverrides(List<PolicyOverride> entries) {
        this.entries = List.copyOf(entries);
        for (PolicyOverride entry : this.entries) {
            Map<String, PolicyOverride> map = entry.subdomains() ? parents : exact;
            if (map.putIfAbsent(entry.domain(), entry) != null) {
                // the configuration refuses this with the key named; here it would be a bug
                throw new IllegalArgumentException("override listed twice: " + entry.pattern());
            }
        }
    }

    /** @throws IllegalArgumentException when a pattern is listed twice */
    public static PolicyOverrides of(Collection<PolicyOverride> entries) {
        return entries.isEmpty() ? NONE : new PolicyOverrides(new ArrayList<>(entries));
    }

    /** The entries in configuration order. */
    public List<PolicyOverride> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * The override for {@code domain} (normalised, as {@link DomainKey} gives it), if any. Runs on every socketmap
     * request: without overrides it returns at once; an exact entry costs one map read; {@code .parent} entries
     * cost one substring per label, longest parent first, and only when there are such entries.
     */
    public Optional<PolicyOverride> find(String domain) {
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        PolicyOverride found = exact.get(domain);
        if (found != null) {
            return Optional.of(found);
        }
        if (!parents.isEmpty()) {
            for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
                found = parents.get(domain.substring(dot + 1));
                if (found != null) {
                    return Optional.of(found);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PolicyOverrides that && entries.equals(that.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
