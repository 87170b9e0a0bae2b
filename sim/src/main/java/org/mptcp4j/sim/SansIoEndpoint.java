package org.mptcp4j.sim;

import java.nio.ByteBuffer;

/**
 * Drives a sans-IO engine (the core {@code Stack}, or anything shaped like it) on a {@link Host}:
 * packets go to {@link #handleInbound}, the wake-up to {@link #handleTimeout}, and after each of
 * them, and after each {@link #flush} the application side calls, the transmit queue is drained
 * with {@link #pollTransmit} into the host and the single wake-up is re-armed at
 * {@link #pollTimeout} (the quinn/smoltcp driver loop). A subclass adds the application: it reads
 * the engine's events in {@link #afterIo}.
 */
public abstract class SansIoEndpoint implements Endpoint {
    /** Room for the largest IP packet. */
    private final ByteBuffer out = ByteBuffer.allocate(Packet.MAX_BYTES);
    private HostContext host;
    private boolean flushing;

    /** The host this endpoint runs on (after {@link #attach}). */
    protected final HostContext host() {
        return host;
    }

    protected abstract void handleInbound(long nowNanos, ByteBuffer ipPacket);

    protected abstract void handleTimeout(long nowNanos);

    /**
     * Writes one complete IP packet at {@code out}'s position and advances it; returns false,
     * leaving {@code out} untouched, when there is nothing to send.
     */
    protected abstract boolean pollTransmit(long nowNanos, ByteBuffer out);

    /** The engine's earliest deadline, or {@link org.mptcp4j.base.Nanos#NEVER}. */
    protected abstract long pollTimeout();

    /** Called after every I/O step, before transmitting: drain application events here. */
    protected void afterIo(long nowNanos) {}

    /** Called once from {@link #attach}: configure the engine (addresses, listeners) here. */
    protected void onAttach(HostContext hostContext) {}

    @Override
    public final void attach(HostContext hostContext) {
        this.host = hostContext;
        onAttach(hostContext);
        flush();
    }

    @Override
    public final void onPacket(long nowNanos, ByteBuffer ipPacket) {
        handleInbound(nowNanos, ipPacket);
        flush();
    }

    @Override
    public final void onWakeup(long nowNanos) {
        handleTimeout(nowNanos);
        flush();
    }

    /**
     * Lets the application run, sends what the engine has queued and re-arms the timer. Call it
     * after acting on the engine from outside a callback (a scheduled write, a connect).
     */
    public final void flush() {
        if (flushing) {
            return; // afterIo called flush again; the running loop drains everything
        }
        flushing = true;
        try {
            long now = host.nowNanos();
            afterIo(now);
            while (true) {
                out.clear();
                if (!pollTransmit(now, out)) {
                    break;
                }
                out.flip();
                host.send(out);
            }
            host.wakeAt(pollTimeout());
        } finally {
            flushing = false;
        }
    }
}
