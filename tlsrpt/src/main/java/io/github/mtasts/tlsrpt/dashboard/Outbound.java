package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.FailureFigures;
import java.util.Objects;

/** Our own sessions as the dashboard reads them: the aggregate store's queries, or why there are none. */
public sealed interface Outbound {

    /** The aggregate store's bounded queries. */
    record Figures(FailureFigures figures) implements Outbound {
        public Figures {
            Objects.requireNonNull(figures, "figures");
        }
    }

    /** The aggregates cannot be read here; {@code reason} is shown in their place. */
    record Unavailable(String reason) implements Outbound {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Where the dashboard reads its outbound figures. */
    @FunctionalInterface
    interface Source {
        Outbound read();

        /** The aggregate store; a store that cannot aggregate in SQL is shown as unavailable. */
        static Source of(AggregateStore store) {
            Objects.requireNonNull(store, "store");
            return () -> {
                try {
                    return new Figures(store.figures());
                } catch (UnsupportedOperationException e) {
                    return new Unavailable(e.getMessage());
                }
            };
        }

        static Source unavailable(String reason) {
            Unavailable unavailable = new Unavailable(reason);
            return () -> unavailable;
        }
    }
}
