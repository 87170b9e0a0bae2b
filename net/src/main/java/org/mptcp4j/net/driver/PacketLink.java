package org.mptcp4j.net.driver;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a {@link RealTimeDriver}'s IP packets come from and go to: a TUN device
 * ({@link org.mptcp4j.net.tun.TunLink}) or UDP sockets ({@link org.mptcp4j.net.udp.UdpDriver}).
 * Every packet is one complete IPv4 or IPv6 packet. The driver calls one method at a time, from
 * whichever thread runs its turn or waits in {@link #await} (see {@link RealTimeDriver});
 * {@link #wakeup()} comes from any thread at any time.
 */
public interface PacketLink extends AutoCloseable {
    /**
     * The next received packet (position 0, limit its length) or null when none waits. The buffer
     * belongs to the link and is valid until the next call.
     */
    ByteBuffer receive() throws IOException;

    /**
     * Whether the device vouches for the TCP checksum of the packet the last {@link #receive()}
     * returned (built or verified by the local kernel, e.g. a TUN's virtio header flags), so the
     * stack need not sum it again.
     */
    default boolean receivedChecksumValidated() {
        return false;
    }

    /**
     * Whether the link may hand up packets whose checksum it vouches for without completing it
     * ({@link #receivedChecksumValidated()}); off, every packet it returns carries a complete
     * checksum (the driver turns it off when packets may be held and handed on later).
     */
    default void setReceiveChecksumOffload(boolean on) {}

    /**
     * Whether a packet to {@code destination} can leave at all (a route, a mapped peer): connecting
     * to an address without one fails at once, as the kernel answers ENETUNREACH / EHOSTUNREACH.
     * Links that cannot tell (a TUN device: the kernel routes) say yes.
     */
    default boolean hasRoute(java.net.InetAddress destination) {
        return true;
    }

    /** A cleared buffer to build one outgoing packet in, at position 0; valid until {@link #send}. */
    ByteBuffer transmitBuffer();

    /**
     * Sends one packet ({@code packet} position..limit): the {@link #transmitBuffer()} or any other
     * buffer. Returns false when the packet had to be dropped (full queue, no route); that is not an
     * error, TCP recovers as from any loss.
     */
    boolean send(ByteBuffer packet) throws IOException;

    /**
     * The largest TCP packet (IP header included) this link cuts into MTU-sized pieces itself
     * (segmentation offload, e.g. a TUN device's GSO); 0 when it takes only packets that fit its MTU.
     */
    default int segmentationOffloadBytes() {
        return 0;
    }

    /**
     * Sends a packet that the link cuts into pieces of {@code gsoSize} payload bytes (0: as it is),
     * its TCP checksum partial. Links without offload never get one; this default cuts it in
     * software all the same.
     */
    default boolean send(ByteBuffer packet, int gsoSize) throws IOException {
        if (gsoSize == 0) {
            return send(packet);
        }
        boolean[] all = {true};
        ByteBuffer scratch = ByteBuffer.allocate(packet.remaining());
        org.mptcp4j.wire.TcpSegmentation.segment(packet, gsoSize, scratch, piece -> {
            try {
                all[0] &= send(piece);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return all[0];
    }

    /** Writes out anything {@link #send} held back to batch; the driver calls it after each transmit burst. */
    default void flush() throws IOException {}

    /**
     * Blocks until a packet may be waiting, {@link #wakeup()} was called, or {@code timeoutNanos}
     * passed ({@code < 0}: no limit). Spurious returns are allowed.
     */
    void await(long timeoutNanos) throws IOException;

    /** Ends a current or the next {@link #await}; any thread, platform or virtual. */
    void wakeup();

    /**
     * Whether interrupting a thread in {@link #await} ends the wait, as a {@link
     * java.nio.channels.Selector}'s does; only then may an application thread wait in the link in
     * the reactor's place ({@link RealTimeDriver#lead}), since it must stay interruptible.
     */
    default boolean awaitInterruptible() {
        return false;
    }

    /** Packets this link dropped in {@link #send} or could not parse on receive. */
    long dropped();

    @Override
    void close() throws IOException;
}
