package org.mptcp4j.sim;

/**
 * Told when a packet an endpoint sent with a charge ({@link HostContext#sendChecksumPartial(java.nio.ByteBuffer,
 * int, TransmitCompletion, Object)}) has left its host's device: its serialization onto the
 * host's link ended, or it was dropped before (a full queue, a link down, no route). Linux runs an
 * skb's destructor ({@code tcp_wfree}) then, which is what TCP Small Queues waits for.
 */
@FunctionalInterface
public interface TransmitCompletion {
    /** {@code payloadBytes} of what {@code charge} stands for left the device, now (the host's clock). */
    void transmitted(Object charge, int payloadBytes);
}
