package org.mptcp4j.net.driver;

import java.nio.ByteBuffer;

/**
 * The driver-facing half of the sans-IO contract of {@code org.mptcp4j.stack.Stack} (see its
 * javadoc): the reactor passes packets and time in, then drains transmits, asks for the next
 * deadline and lets the owner dispatch application events. {@code StackEndpoint} adapts the real
 * stack; anything else speaking IP packets can be driven the same way.
 *
 * <p>All calls come from the reactor thread, with monotone {@code nowNanos}.
 */
public interface SansIoEndpoint {
    /** One received IP packet (position..limit); not kept after the call. */
    void handleInbound(long nowNanos, ByteBuffer ipPacket);

    /** As {@link #handleInbound(long, ByteBuffer)}; {@code checksumValidated}: the link vouches for the TCP checksum. */
    default void handleInbound(long nowNanos, ByteBuffer ipPacket, boolean checksumValidated) {
        handleInbound(nowNanos, ipPacket);
    }

    /** The deadline from {@link #pollTimeout()} was reached. */
    void handleTimeout(long nowNanos);

    /**
     * Writes one complete IP packet at {@code out.position()} and advances the position by its length;
     * returns false (with {@code out} untouched) when there is nothing to send.
     */
    boolean pollTransmit(long nowNanos, ByteBuffer out);

    /**
     * For the packet the last {@link #pollTransmit} wrote: the payload size of the pieces the link
     * must cut it into (segmentation offload; its TCP checksum is then partial), or 0.
     */
    default int lastTransmitGsoSize() {
        return 0;
    }

    /**
     * The link cuts TCP packets of up to {@code maxPacketBytes} itself (0: it cannot); the
     * endpoint may then write packets that large. Called by the driver before it starts.
     */
    default void setSegmentationOffload(int maxPacketBytes) {}

    /** Earliest deadline, {@link org.mptcp4j.base.Nanos#NEVER} if none. */
    long pollTimeout();

    /** Called once per reactor turn after transmits are drained: hand events to the application. */
    default void dispatchEvents(long nowNanos) {}

    /** The reactor stopped (closed or failed with {@code cause}, null when closed). */
    default void onDriverStopped(Throwable cause) {}
}
