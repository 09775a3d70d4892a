package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateStoreException;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/** Our own sessions as the dashboard shows them: the aggregate counts of the window, or why there are none. */
public sealed interface Outbound {

    /** The counts of every policy domain and day of the window, as {@code AggregateStore.days} gives them. */
    record Figures(List<DomainDay> days) implements Outbound {
        public Figures {
            days = List.copyOf(days);
        }
    }

    /** The aggregates cannot be read here; {@code reason} is shown in their place. */
    record Unavailable(String reason) implements Outbound {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Where the dashboard reads its outbound figures for a window of UTC days. */
    @FunctionalInterface
    interface Source {
        Outbound read(LocalDate first, LocalDate last);

        /** The aggregate store; when it cannot be read, the page says so instead of failing altogether. */
        static Source of(AggregateStore store) {
            Objects.requireNonNull(store, "store");
            return (first, last) -> {
                try {
                    return new Figures(store.days(first, last));
                } catch (AggregateStoreException e) {
                    return new Unavailable(e.getMessage());
                }
            };
        }

        static Source unavailable(String reason) {
            Unavailable unavailable = new Unavailable(reason);
            return (first, last) -> unavailable;
        }
    }
}
