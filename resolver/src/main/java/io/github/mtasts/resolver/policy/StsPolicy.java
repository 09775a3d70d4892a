package io.github.mtasts.resolver.policy;

import java.util.List;

/**
 * A valid MTA-STS policy (RFC 8461 §3.2).
 *
 * @param mode   the policy mode
 * @param maxAge seconds the policy may be cached, 0..31557600
 * @param mx     mx patterns in policy order (empty only for mode none)
 * @param lines  the policy's lines as published, without line breaks (TLSRPT policy-string)
 */
public record StsPolicy(PolicyMode mode, long maxAge, List<MxPattern> mx, List<String> lines) {
    public StsPolicy {
        mx = List.copyOf(mx);
        lines = List.copyOf(lines);
    }
}
