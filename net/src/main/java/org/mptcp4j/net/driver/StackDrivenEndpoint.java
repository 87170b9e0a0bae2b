package org.mptcp4j.net.driver;

import java.nio.ByteBuffer;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.Transmit;

/**
 * A {@link SansIoEndpoint} over a core {@link Stack}: packets, timeouts and transmits go to the
 * stack as they are; what the endpoint does with the stack's events is the subclass's
 * ({@link #afterInput} after each input, {@link #dispatchEvents} once per turn). The socket API's
 * endpoint and benchmarks that drive the stack directly both stand on it.
 */
public abstract class StackDrivenEndpoint implements SansIoEndpoint {
    protected final Stack stack;
    /** The gso size of the packet the last pollTransmit wrote (in a driver turn only). */
    private int lastGsoSize;

    protected StackDrivenEndpoint(Stack stack) {
        this.stack = stack;
    }

    /** The stack; touch it only in the driver's turns. */
    public final Stack stack() {
        return stack;
    }

    /**
     * Called after each packet and timeout the stack took, while the connections its events name
     * are still in it (the stack forgets a reset connection at its next {@code pollTransmit}).
     */
    protected void afterInput() {}

    @Override
    public final void handleInbound(long nowNanos, ByteBuffer ipPacket) {
        stack.handleInbound(nowNanos, ipPacket);
        afterInput();
    }

    @Override
    public final void handleInbound(long nowNanos, ByteBuffer ipPacket, boolean checksumValidated) {
        stack.handleInbound(nowNanos, ipPacket, checksumValidated);
        afterInput();
    }

    @Override
    public final void handleTimeout(long nowNanos) {
        stack.handleTimeout(nowNanos);
        afterInput();
    }

    @Override
    public final boolean pollTransmit(long nowNanos, ByteBuffer out) {
        Transmit t = stack.pollTransmit(nowNanos, out);
        lastGsoSize = t == null ? 0 : t.gsoSize();
        return t != null;
    }

    @Override
    public final int lastTransmitGsoSize() {
        return lastGsoSize;
    }

    @Override
    public final void setSegmentationOffload(int maxPacketBytes) {
        stack.setSegmentationOffload(maxPacketBytes);
    }

    @Override
    public final long pollTimeout() {
        return stack.pollTimeout();
    }
}
