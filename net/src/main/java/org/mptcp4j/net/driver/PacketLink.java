package org.mptcp4j.net.driver;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a {@link RealTimeDriver}'s IP packets come from and go to: a TUN device
 * ({@link org.mptcp4j.net.tun.TunLink}) or UDP sockets ({@link org.mptcp4j.net.udp.UdpDriver}).
 * Every packet is one complete IPv4 or IPv6 packet. All methods but {@link #wakeup()} are called by
 * the driver's reactor thread only.
 */
public interface PacketLink extends AutoCloseable {
    /**
     * The next received packet (position 0, limit its length) or null when none waits. The buffer
     * belongs to the link and is valid until the next call.
     */
    ByteBuffer receive() throws IOException;

    /** A cleared buffer to build one outgoing packet in, at position 0; valid until {@link #send}. */
    ByteBuffer transmitBuffer();

    /**
     * Sends one packet ({@code packet} position..limit): the {@link #transmitBuffer()} or any other
     * buffer. Returns false when the packet had to be dropped (full queue, no route); that is not an
     * error, TCP recovers as from any loss.
     */
    boolean send(ByteBuffer packet) throws IOException;

    /**
     * Blocks until a packet may be waiting, {@link #wakeup()} was called, or {@code timeoutNanos}
     * passed ({@code < 0}: no limit). Spurious returns are allowed.
     */
    void await(long timeoutNanos) throws IOException;

    /** Ends a current or the next {@link #await}; any thread, platform or virtual. */
    void wakeup();

    /** Packets this link dropped in {@link #send} or could not parse on receive. */
    long dropped();

    @Override
    void close() throws IOException;
}
