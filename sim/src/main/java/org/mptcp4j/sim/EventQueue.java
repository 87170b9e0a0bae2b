package org.mptcp4j.sim;

/**
 * The pending events of a simulation, ordered by {@code (timeNanos, seq)}: earliest time first, and
 * events of equal time in the order they were scheduled ({@code seq} grows by one per call to
 * {@link #schedule}). That total order is what makes two runs from the same seed identical.
 *
 * <p>There is no cancel operation. A component that wants to cancel keeps the {@code seq} that
 * {@link #schedule} returned and ignores the event when {@link #poppedSeq()} differs from it (lazy
 * cancel by generation, as ns-3's {@code EventId}); see {@link Simulation#currentEventSeq()}.
 *
 * <p>Implementations store events in primitive arrays and never allocate per event once their
 * arrays have grown to the peak number of pending events.
 */
public interface EventQueue {
    /** Adds an event and returns its sequence number; {@code timeNanos} is not checked here. */
    long schedule(long timeNanos, EventHandler handler, Object arg);

    /**
     * Sequence numbers from here up are never handed out by {@link #schedule(long, EventHandler, Object)}:
     * they are for events whose place among equal times must not depend on when they were added.
     */
    long FIRST_OWN_SEQ = 1L << 62;

    /**
     * Adds an event with the caller's sequence number, at least {@link #FIRST_OWN_SEQ} and unique
     * among pending events: it runs after every event of equal time numbered by the queue. A
     * {@link ParallelSimulation} numbers the packets arriving from another partition so, since
     * the moment they are handed over depends on how the threads ran.
     */
    long schedule(long timeNanos, long seq, EventHandler handler, Object arg);

    boolean isEmpty();

    int size();

    /** The time of the earliest event; only when not {@link #isEmpty()}. */
    long peekTimeNanos();

    /**
     * Removes the earliest event and returns its handler; its time, argument and sequence number
     * are then available from {@link #poppedTimeNanos()}, {@link #poppedArg()}, {@link #poppedSeq()}.
     */
    EventHandler pop();

    long poppedTimeNanos();

    Object poppedArg();

    long poppedSeq();

    /** Removes every pending event. */
    void clear();
}
