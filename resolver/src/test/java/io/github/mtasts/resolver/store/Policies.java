package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Policies for cache tests, built as the parser would build them. */
public final class Policies {

    private Policies() {
    }

    public static StsPolicy enforce(long maxAge, String... mx) {
        return policy(PolicyMode.ENFORCE, maxAge, mx);
    }

    public static StsPolicy policy(PolicyMode mode, long maxAge, String... mx) {
        List<MxPattern> patterns = Arrays.stream(mx).map(MxPattern::new).toList();
        List<String> lines = new ArrayList<>();
        lines.add("version: STSv1");
        lines.add("mode: " + mode.wireName());
        for (String m : mx) {
            lines.add("mx: " + m);
        }
        lines.add("max_age: " + maxAge);
        return new StsPolicy(mode, maxAge, patterns, lines);
    }
}
