package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/**
 * A zero-allocation, reusable view of an IPv6 header (RFC 8200); the counterpart of
 * {@link Ipv4View}. Hop-by-hop and destination options headers are skipped, other extension
 * headers refused, as in {@link IpCodec}.
 */
public final class Ipv6View {
    private ByteBuffer buf;
    private int base;
    private int payloadOffset;
    private int end;
    private int nextHeader;
    private int errorOffset;

    /** As {@link Ipv4View#bind}: {@code null} when well-formed, else the refusal's counter. */
    public MibCounter bind(ByteBuffer b) {
        buf = b;
        base = b.position();
        int avail = b.remaining();
        if (avail < IpCodec.IPV6_HEADER || (b.get(base) & 0xF0) != 0x60) {
            return fail(0, MibCounter.IP_IN_HDR_ERRORS);
        }
        int payloadLength = b.getShort(base + 4) & 0xFFFF;
        if (IpCodec.IPV6_HEADER + payloadLength > avail) {
            return fail(4, MibCounter.IP_IN_HDR_ERRORS);
        }
        end = IpCodec.IPV6_HEADER + payloadLength;
        int offset = IpCodec.IPV6_HEADER;
        int nh = b.get(base + 6) & 0xFF;
        while (nh == 0 || nh == 60) {
            if (offset + 8 > end) {
                return fail(offset, MibCounter.IP_IN_HDR_ERRORS);
            }
            int len = ((b.get(base + offset + 1) & 0xFF) + 1) * 8;
            if (offset + len > end) {
                return fail(offset + 1, MibCounter.IP_IN_HDR_ERRORS);
            }
            nh = b.get(base + offset) & 0xFF;
            offset += len;
        }
        if (nh == 44) {
            return fail(offset, MibCounter.IP_IN_FRAGMENTS);
        }
        if (nh == 43 || nh == 50 || nh == 51) {
            return fail(offset, MibCounter.IP_IN_HDR_ERRORS);
        }
        nextHeader = nh;
        payloadOffset = offset;
        return null;
    }

    private MibCounter fail(int offset, MibCounter counter) {
        errorOffset = offset;
        return counter;
    }

    public int errorOffset() { return errorOffset; }
    public int trafficClass() { return (buf.getInt(base) >>> 20) & 0xFF; }
    public int flowLabel() { return buf.getInt(base) & 0xF_FFFF; }
    public int hopLimit() { return buf.get(base + 7) & 0xFF; }
    /** The upper-layer protocol after any skipped extension headers. */
    public int protocol() { return nextHeader; }
    /** Absolute index of the upper-layer header in the bound buffer. */
    public int payloadOffset() { return base + payloadOffset; }
    public int payloadLength() { return end - payloadOffset; }
    /** Absolute index of the 16-byte source address. */
    public int sourceIndex() { return base + 8; }
    public int destinationIndex() { return base + 24; }

    /** The upper-layer pseudo-header sum (RFC 8200 section 8.1). */
    public int pseudoHeaderSum() {
        int s = Checksums.sum(buf, base + 8, 32, 0);
        s = Checksums.add32(s, payloadLength());
        return Checksums.add16(s, nextHeader);
    }
}
