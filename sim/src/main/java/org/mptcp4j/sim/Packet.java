package org.mptcp4j.sim;

import java.nio.ByteBuffer;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.wire.Checksums;

/**
 * One IP packet travelling through the simulated network: real IPv4 or IPv6 bytes in
 * {@code data[0, length)} plus the simulator's bookkeeping. Packets come from a {@link PacketPool}
 * and go back to it when the last component that holds one (a host that delivered it, a queue that
 * dropped it) releases it; a packet is owned by exactly one component at a time.
 */
public final class Packet {
    /** Largest IP packet (IPv4 total length and IPv6 payload length are 16-bit). */
    public static final int MAX_BYTES = LinkSpec.MAX_MTU;

    byte[] data;
    ByteBuffer buffer;
    int length;
    /** Unique per acquisition, in acquisition order; names the packet in traces. */
    long uid;
    /** The link generation a reordered packet was sent in; a link that went down since then discards it. */
    long linkGeneration;
    /**
     * The sender vouched for the transport checksum and no link has corrupted the bytes since: the
     * receiving stack may skip summing them, as Linux skips it for what a veth delivers
     * ({@code CHECKSUM_UNNECESSARY}). Cleared by a corrupting link, so corruption is still caught.
     */
    boolean checksumValidated;
    /**
     * Where the TCP header starts when the sender left its checksum partial (Linux
     * {@code CHECKSUM_PARTIAL}, whose {@code csum_start} this is): the field holds only the
     * pseudo-header sum until {@link #completeChecksum} sums the segment; -1 when the bytes are
     * final. A partial packet is also {@link #checksumValidated}.
     */
    int partialChecksumAt = -1;
    boolean free;
    /** The pool that made it, to which it goes back (in a {@link ParallelSimulation}, from another partition's). */
    final PacketPool home;
    /** Whom to tell when the packet leaves its sender's device, with what, and how much; null: nobody. */
    TransmitCompletion completion;
    Object charge;
    int chargeBytes;

    Packet(PacketPool home, int capacity) {
        this.home = home;
        data = new byte[capacity];
        buffer = ByteBuffer.wrap(data);
    }

    /** The packet's bytes; only {@code [0, length())} are meaningful. */
    public byte[] data() {
        return data;
    }

    public int length() {
        return length;
    }

    public long uid() {
        return uid;
    }

    /**
     * The packet as a buffer from position 0 to its length. The same buffer object is reused for
     * every use of this packet: valid only until the packet moves on.
     */
    public ByteBuffer view() {
        return buffer.limit(length).position(0);
    }

    /**
     * Completes a partial TCP checksum in place, as the sender's device would on a wire: from then
     * on the bytes are those a capture shows. The field holds the pseudo-header sum, so summing
     * the segment with it in place gives the whole sum (RFC 9293 section 3.1).
     */
    void completeChecksum() {
        int at = partialChecksumAt;
        if (at < 0) {
            return;
        }
        partialChecksumAt = -1;
        int field = Checksums.finish(Checksums.sum(data, at, length - at, 0));
        data[at + 16] = (byte) (field >>> 8);
        data[at + 17] = (byte) field;
    }

    /** The packet left its sender's device (or never will): its sender is told, once. */
    void discharge() {
        TransmitCompletion c = completion;
        if (c != null) {
            completion = null;
            Object what = charge;
            charge = null;
            c.transmitted(what, chargeBytes);
        }
    }

    void ensureCapacity(int capacity) {
        if (data.length < capacity) {
            data = new byte[Math.min(MAX_BYTES, Math.max(capacity, data.length * 2))];
            buffer = ByteBuffer.wrap(data);
        }
    }
}
