package org.mptcp4j.mptcp;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.mptcp4j.mptcp.sched.Aggregate;
import org.mptcp4j.mptcp.sched.Blest;
import org.mptcp4j.mptcp.sched.Ecf;
import org.mptcp4j.mptcp.sched.Handover;
import org.mptcp4j.mptcp.sched.Interactive;
import org.mptcp4j.mptcp.sched.Linger;
import org.mptcp4j.mptcp.sched.Redundant;
import org.mptcp4j.mptcp.sched.RoundRobin;

/**
 * Chooses the subflow that carries the next segment of new data (the paper's modular scheduler;
 * Linux {@code struct mptcp_sched_ops}, the multipath-tcp.org kernel's {@code get_subflow}). It
 * runs when a subflow could send, per segment, not at write time, so it sees the windows and RTTs
 * of that moment. An instance belongs to one connection (it may keep state, as round-robin's turn
 * or ECF's waiting flag); {@link #byName} makes a fresh one.
 *
 * <p>Returning null means nobody sends now. For {@code default} that happens only when no subflow
 * has room; BLEST and ECF also return null to wait for the fast subflow's window rather than put
 * data on a slow one (their papers' point). The fast subflow asks again when an ACK opens its
 * window, so waiting needs no timer.
 */
public interface Scheduler {
    /**
     * The subflow to send on, among {@code subflows} (each established at the MPTCP level, not
     * closing, and not stale while a fresh one is left), or null when none should send now.
     */
    Subflow select(List<Subflow> subflows, SendState send);

    /** Its name, as {@link #byName} knows it. */
    String name();

    /**
     * A word saying why the last {@link #select} chose as it did, for the trace
     * ({@link SchedulerTrace}): a constant, so that keeping it costs nothing per segment.
     */
    default String reason() {
        return "";
    }

    /**
     * The most new data bytes {@code chosen} takes in this turn (round-robin's segments per turn);
     * {@link Integer#MAX_VALUE}: as much as its windows let out.
     */
    default int turnBytes(Subflow chosen) {
        return Integer.MAX_VALUE;
    }

    /** {@code chosen} took {@code bytes} of new data at {@code dsn} (round-robin counts its turn). */
    default void onMapped(Subflow chosen, long dsn, int bytes) {}

    /**
     * Whether {@code s} may carry data reinjected from another subflow (RFC 8684 section 3.3.6:
     * after a connection-level retransmission timeout, or from a stale or closed subflow). Yes by
     * default; handover keeps reinjections off the standby while the primary works, and the
     * primary's own TCP recovers what it lost.
     */
    default boolean mayReinjectOn(Subflow s, List<Subflow> subflows) {
        return true;
    }

    /**
     * Whether every subflow carries every byte (the redundant scheduler): each subflow then pulls
     * on its own, from the first byte it has not carried yet, and {@link #select} is asked only
     * whether the asking subflow may send at all.
     */
    default boolean sendsOnEverySubflow() {
        return false;
    }

    /**
     * What a scheduler may know of the connection's send side beyond its subflows (ECF's k, the
     * bytes waiting; BLEST's send window).
     */
    interface SendState {
        /** Bytes written by the application and not yet handed to any subflow. */
        long bytesWaiting();

        /** Bytes handed to subflows and not yet DATA_ACKed. */
        long bytesInFlight();

        /** The peer's connection-level receive window (RFC 8684 section 3.3.5), from the DATA_ACK. */
        long sendWindowBytes();
    }

    /** The names {@link #byName} knows, for help texts and error messages. */
    List<String> NAMES = List.of("default", "linger", "roundrobin", "redundant", "blest", "ecf", "handover",
            "interactive", "aggregate");

    /**
     * The schedulers by name, as {@code net.mptcp.scheduler} names the multipath-tcp.org kernel's
     * ({@code default}, {@code roundrobin}, {@code redundant}, {@code blest}, {@code ecf}), Linux
     * mainline's default as {@code linger} (mainline calls it {@code default} too),
     * plus Apple's service types ({@code handover}, {@code interactive}, {@code aggregate}).
     * {@code roundrobin:N} sends N segments per turn (1 by default, as the kernel's
     * {@code num_segments}).
     */
    static Optional<Supplier<Scheduler>> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.startsWith("roundrobin:")) {
            try {
                int segments = Integer.parseInt(n.substring("roundrobin:".length()));
                return segments >= 1 && segments <= RoundRobin.MAX_SEGMENTS_PER_TURN
                        ? Optional.of(() -> new RoundRobin(segments)) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return switch (n) {
            case "default", "minrtt" -> Optional.of(MinRttScheduler::new);
            case "linger" -> Optional.of(Linger::new);
            case "roundrobin" -> Optional.of(() -> new RoundRobin(1));
            case "redundant" -> Optional.of(Redundant::new);
            case "blest" -> Optional.of(Blest::new);
            case "ecf" -> Optional.of(Ecf::new);
            case "handover" -> Optional.of(Handover::new);
            case "interactive" -> Optional.of(Interactive::new);
            case "aggregate" -> Optional.of(Aggregate::new);
            default -> Optional.empty();
        };
    }
}
