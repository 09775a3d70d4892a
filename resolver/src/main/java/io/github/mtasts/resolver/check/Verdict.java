package io.github.mtasts.resolver.check;

import io.github.mtasts.resolver.policy.PolicyMode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the domain can publish (or keep) {@code mode: enforce}.
 *
 * @param safeToEnforce no item that affects delivery failed
 * @param text          the verdict line, naming the first problem when there is one
 */
public record Verdict(boolean safeToEnforce, String text) {

    public Verdict {
        Objects.requireNonNull(text, "text");
    }

    /**
     * Judges {@code items}: FAILs in a section that {@linkplain CheckSection#affectsDelivery() affects delivery}
     * make enforce unsafe, because a sender honouring the policy then refuses the MX (RFC 8461 §5) or finds no
     * policy at all; warnings are counted but do not change the answer.
     *
     * @param mode the published policy's mode, empty when none could be read
     */
    public static Verdict of(List<CheckItem> items, Optional<PolicyMode> mode) {
        boolean enforcing = mode.filter(m -> m == PolicyMode.ENFORCE).isPresent();
        String move = enforcing ? "stay in" : "move to";
        List<CheckItem> blocking = items.stream()
                .filter(i -> i.status() == CheckStatus.FAIL && i.section().affectsDelivery()).toList();
        if (!blocking.isEmpty()) {
            CheckItem first = blocking.get(0);
            return new Verdict(false, "NOT safe to " + move + " enforce: " + blocking.size() + " failing item"
                    + (blocking.size() == 1 ? "" : "s") + ", first " + first.section().label() + " " + first.subject()
                    + ": " + first.reason());
        }
        long warnings = items.stream().filter(i -> i.status() == CheckStatus.WARN).count();
        String current = mode.map(m -> " (policy mode " + m.wireName() + ")").orElse("");
        return new Verdict(true, "safe to " + move + " enforce" + current
                + (warnings == 0 ? "" : "; review " + warnings + " warning" + (warnings == 1 ? "" : "s")));
    }
}
