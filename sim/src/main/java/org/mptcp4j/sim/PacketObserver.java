package org.mptcp4j.sim;

/**
 * Watches packets pass a point of a link without owning them: pcap taps, trace hashes, tests.
 * The packet is valid only during the call.
 */
@FunctionalInterface
public interface PacketObserver {
    void observe(long nowNanos, Link link, Packet packet);
}
