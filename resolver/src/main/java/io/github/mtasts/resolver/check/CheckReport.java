package io.github.mtasts.resolver.check;

import java.util.List;
import java.util.Objects;

/**
 * The whole result of checking one domain.
 *
 * @param domain  the policy domain checked
 * @param items   every item in report order
 * @param verdict the enforce verdict drawn from the items
 */
public record CheckReport(String domain, List<CheckItem> items, Verdict verdict) {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAIL = 1;

    public CheckReport {
        Objects.requireNonNull(domain, "domain");
        items = List.copyOf(items);
        Objects.requireNonNull(verdict, "verdict");
    }

    /** 0 when no item failed, 1 otherwise (a failing TLSRPT record included). */
    public int exitCode() {
        return items.stream().anyMatch(i -> i.status() == CheckStatus.FAIL) ? EXIT_FAIL : EXIT_OK;
    }

    /** The items of {@code section}, in report order. */
    public List<CheckItem> items(CheckSection section) {
        return items.stream().filter(i -> i.section() == section).toList();
    }
}
