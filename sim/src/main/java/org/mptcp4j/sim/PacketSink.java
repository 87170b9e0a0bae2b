package org.mptcp4j.sim;

/** Where a link delivers packets: a router, a host, or the next link (htsim's {@code PacketSink}). */
public interface PacketSink {
    /** Takes ownership of {@code packet}: the sink forwards it or releases it to the pool. */
    void receive(Packet packet);
}
