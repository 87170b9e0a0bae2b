package org.mptcp4j.sim;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.mptcp4j.base.Rng;
import org.mptcp4j.wire.TcpSegmentation;

/** The host as its {@link Endpoint} sees it. */
public interface HostContext {
    long nowNanos();

    /**
     * Sends an IP packet: the bytes from position to limit are copied (the buffer is untouched and
     * free for reuse on return). The packet leaves on the link bound to its source address, else by
     * the host's routes to its destination; with neither, or when malformed, it is dropped and
     * counted ({@link Host#droppedNoRoute()}, {@link Host#droppedMalformed()}).
     */
    void send(ByteBuffer ipPacket);

    /**
     * As {@link #send(ByteBuffer)}, from a sender that vouches for the packet's checksums (a stack
     * that just computed them): unless a link corrupts the packet on the way, the receiving host
     * hands it up with {@link Endpoint#onPacket(long, ByteBuffer, boolean)} saying so.
     */
    void sendChecksummed(ByteBuffer ipPacket);

    /**
     * Software segmentation offload: cuts a large TCP packet (position to limit) into wire packets
     * of at most {@code gsoSize} payload bytes each ({@link TcpSegmentation}) and sends each as
     * {@link #sendChecksummed} would. Returns the number of packets. The host builds each piece
     * straight into the packet it sends.
     */
    int sendSegmented(ByteBuffer ipPacket, int gsoSize);

    /**
     * Checksum offload, as a device with Linux's {@code NETIF_F_HW_CSUM} over a veth: a TCP packet
     * whose checksum field holds only the pseudo-header sum ({@code CHECKSUM_PARTIAL}; see
     * {@link org.mptcp4j.stack.Stack#setChecksumOffload}), cut into pieces as {@link #sendSegmented}
     * cuts it when {@code gsoSize > 0}, else sent whole as {@link #sendChecksummed} sends. No
     * payload is summed on the way: the checksum is completed only where the bytes are looked at
     * (a link's observers, such as a pcap tap; a link that corrupts the packet; an ICMP error that
     * quotes it; an endpoint that does not take partial checksums, see
     * {@link Endpoint#takesPartialChecksums}), so every capture shows the bytes a wire would
     * carry. Returns the number of packets.
     */
    int sendChecksumPartial(ByteBuffer ipPacket, int gsoSize);

    /**
     * As {@link #sendChecksumPartial(ByteBuffer, int)}, each packet charged to its sender: once it
     * has left the host's device (its serialization onto the host's link ended) or was dropped
     * before, {@code completion} is told with {@code charge} and the packet's TCP payload length
     * (Linux's {@code tcp_wfree}, which TCP Small Queues waits for). With {@code completion} null
     * nobody is told.
     */
    int sendChecksumPartial(ByteBuffer ipPacket, int gsoSize, TransmitCompletion completion, Object charge);

    /**
     * Asks for {@link Endpoint#onWakeup} at {@code atNanos} (now, when in the past). Replaces any
     * earlier pending request: one timer per endpoint, like a stack's {@code pollTimeout}.
     * {@link org.mptcp4j.base.Nanos#NEVER} cancels the pending request.
     */
    void wakeAt(long atNanos);

    /** The host's addresses, in the order they were added. */
    List<InetAddress> addresses();

    /** This host's own generator, derived from the run seed and the host's name. */
    Rng rng();
}
