package org.mptcp4j.sim;

import java.nio.ByteBuffer;

/**
 * What runs on a {@link Host}: a traffic generator, a sink, or the core Stack. The simulation
 * calls it from its single thread, in virtual time, and only ever with non-decreasing
 * {@code nowNanos}.
 */
public interface Endpoint {
    /** Called once, when the endpoint is attached to its host; keep {@code host} to send. */
    void attach(HostContext host);

    /**
     * A packet addressed to one of the host's addresses arrived. The buffer runs from the IP header
     * to the packet's end; it is valid only during the call (copy what you keep).
     */
    void onPacket(long nowNanos, ByteBuffer ipPacket);

    /**
     * As {@link #onPacket(long, ByteBuffer)}; {@code checksumValidated} when the sender vouched for
     * the checksums and no link corrupted the packet since ({@link HostContext#sendChecksummed}).
     */
    default void onPacket(long nowNanos, ByteBuffer ipPacket, boolean checksumValidated) {
        onPacket(nowNanos, ipPacket);
    }

    /**
     * True when this endpoint takes a TCP packet whose checksum is still partial
     * ({@link HostContext#sendChecksumPartial}) as one its sender vouched for, as Linux takes what
     * a veth delivers in {@code CHECKSUM_PARTIAL}; the host then hands it up without summing it.
     * False (the default): the host completes the checksum first, so the endpoint sees wire bytes.
     */
    default boolean takesPartialChecksums() {
        return false;
    }

    /** The time asked for with {@link HostContext#wakeAt} arrived. */
    void onWakeup(long nowNanos);
}
