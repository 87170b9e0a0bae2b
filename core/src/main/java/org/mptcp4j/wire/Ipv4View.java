package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/**
 * A zero-allocation, reusable view of an IPv4 header (RFC 791) in a {@link ByteBuffer}. {@link #bind}
 * checks everything once (lengths, version, header checksum, no fragment); after it returns
 * {@code null} the accessors read absolute indexes that are known to lie inside the packet. The
 * value-type path is {@link IpCodec}; this one is for the per-packet hot path.
 */
public final class Ipv4View {
    private ByteBuffer buf;
    private int base;
    private int headerLength;
    private int totalLength;
    private int errorOffset;

    /**
     * Binds to the packet at {@code [b.position(), b.limit())}. Returns {@code null} when it is a
     * well-formed, unfragmented IPv4 packet, else the counter of the refusal ({@link #errorOffset()}
     * says where). Never throws.
     */
    public MibCounter bind(ByteBuffer b) {
        buf = b;
        base = b.position();
        int avail = b.remaining();
        if (avail < IpCodec.IPV4_MIN_HEADER || (b.get(base) & 0xF0) != 0x40) {
            return fail(0, MibCounter.IP_IN_HDR_ERRORS);
        }
        headerLength = (b.get(base) & 0x0F) * 4;
        totalLength = b.getShort(base + 2) & 0xFFFF;
        if (headerLength < IpCodec.IPV4_MIN_HEADER || totalLength < headerLength || totalLength > avail) {
            return fail(headerLength < IpCodec.IPV4_MIN_HEADER ? 0 : 2, MibCounter.IP_IN_HDR_ERRORS);
        }
        if (!Checksums.verifies(Checksums.sum(b, base, headerLength, 0))) {
            return fail(10, MibCounter.IP_IN_CSUM_ERRORS);
        }
        if ((b.getShort(base + 6) & 0x3FFF) != 0) {
            return fail(6, MibCounter.IP_IN_FRAGMENTS);
        }
        return null;
    }

    private MibCounter fail(int offset, MibCounter counter) {
        errorOffset = offset;
        return counter;
    }

    /** Where the last refusal was, from the packet start. */
    public int errorOffset() { return errorOffset; }
    public int headerLength() { return headerLength; }
    public int totalLength() { return totalLength; }
    public int tos() { return buf.get(base + 1) & 0xFF; }
    public int identification() { return buf.getShort(base + 4) & 0xFFFF; }
    public boolean dontFragment() { return (buf.getShort(base + 6) & 0x4000) != 0; }
    public int ttl() { return buf.get(base + 8) & 0xFF; }
    public int protocol() { return buf.get(base + 9) & 0xFF; }
    public int source() { return buf.getInt(base + 12); }
    public int destination() { return buf.getInt(base + 16); }
    /** Absolute index of the payload (the TCP header) in the bound buffer. */
    public int payloadOffset() { return base + headerLength; }
    public int payloadLength() { return totalLength - headerLength; }

    /** The upper-layer pseudo-header sum for this packet's addresses and protocol. */
    public int pseudoHeaderSum() {
        return Checksums.pseudoHeaderSumV4(source(), destination(), protocol(), payloadLength());
    }
}
