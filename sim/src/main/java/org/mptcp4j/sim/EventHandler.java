package org.mptcp4j.sim;

/**
 * Something that asked the {@link EventQueue} to call it back at a virtual time. Components
 * schedule themselves (htsim's {@code EventSource::doNextEvent}): a link's queue has one pending
 * "service complete" event, its pipe one event for the packet at its head.
 */
@FunctionalInterface
public interface EventHandler {
    /**
     * The scheduled time arrived.
     *
     * @param nowNanos the event's time, which is now the simulation's time
     * @param arg      the object given to {@link EventQueue#schedule}, or null
     */
    void onEvent(long nowNanos, Object arg);
}
