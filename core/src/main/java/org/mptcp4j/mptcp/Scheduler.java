package org.mptcp4j.mptcp;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Chooses the subflow that carries the next segment of new data (the paper's modular scheduler;
 * Linux {@code struct mptcp_sched_ops}). It runs when a subflow could send, per segment, not at
 * write time, so it sees the windows and RTTs of that moment.
 */
public interface Scheduler {
    /**
     * The subflow to send on, among {@code subflows} (each established at the MPTCP level and not
     * closing), or null when none should send now.
     */
    Subflow select(List<Subflow> subflows);

    String name();

    /** The schedulers by name, as {@code net.mptcp.scheduler} names Linux's: {@code default}. */
    static Optional<Supplier<Scheduler>> byName(String name) {
        return switch (name) {
            case "default", "minrtt" -> Optional.of(MinRttScheduler::new);
            default -> Optional.empty();
        };
    }
}
