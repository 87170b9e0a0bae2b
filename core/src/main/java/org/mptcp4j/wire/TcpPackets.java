package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/** IP and TCP in one step: what stacks and drivers call for each packet in or out. */
public final class TcpPackets {
    private TcpPackets() {}

    /**
     * Decodes an IP packet carrying TCP from {@code [position, limit)}. Refusal offsets count from the
     * start of the IP packet. The segment's payload is a view of {@code ipPacket}.
     */
    public static DecodeResult<TcpPacket> decode(ByteBuffer ipPacket) {
        return decode(ipPacket, ChecksumPolicy.VERIFY);
    }

    /** As {@link #decode(ByteBuffer)}; {@link ChecksumPolicy#ACCEPT_OFFLOAD_PENDING} reads captures taken on a veth. */
    public static DecodeResult<TcpPacket> decode(ByteBuffer ipPacket, ChecksumPolicy policy) {
        int base = ipPacket.position();
        int avail = ipPacket.remaining();
        if (avail >= 1 && (ipPacket.get(base) & 0xF0) == 0x40) {
            return decodeV4(ipPacket, base, avail, policy);
        }
        DecodeResult<IpPacket> ip = IpCodec.decode(ipPacket);
        if (ip instanceof DecodeResult.Malformed<IpPacket> m) {
            return DecodeResult.malformed(m.offset(), m.reason(), m.counter());
        }
        IpPacket packet = ((DecodeResult.Ok<IpPacket>) ip).value();
        IpHeader h = packet.header(); // IPv6: version 4 went to decodeV4
        if (h.protocol() != IpHeader.PROTOCOL_TCP) {
            return DecodeResult.malformed(6, "IP protocol " + h.protocol() + " is not TCP", MibCounter.IP_IN_UNKNOWN_PROTOS);
        }
        // Extension headers may sit in between: the TCP bytes end where the IPv6 payload ends.
        int tcpOffset = IpCodec.IPV6_HEADER + (ipPacket.getShort(ipPacket.position() + 4) & 0xFFFF) - packet.payload().remaining();
        return packet(h, TcpCodec.decode(packet.payload(), h.source(), h.destination(), policy, tcpOffset));
    }

    /** The packet of header {@code h} and the decoded segment, or the segment's refusal. */
    private static DecodeResult<TcpPacket> packet(IpHeader h, DecodeResult<TcpSegment> tcp) {
        if (tcp instanceof DecodeResult.Malformed<TcpSegment> m) {
            return DecodeResult.malformed(m.offset(), m.reason(), m.counter());
        }
        return DecodeResult.ok(new TcpPacket(h, ((DecodeResult.Ok<TcpSegment>) tcp).value()));
    }

    /**
     * IPv4, every packet of a stack's usual run: the same checks and refusals as through
     * {@link IpCodec#decode}, but the segment is decoded in place, with no view of the IP payload
     * in between (the segment's payload, made read-only, is the only view of the packet), and for
     * a packet that decodes only the packet's own result is made.
     */
    private static DecodeResult<TcpPacket> decodeV4(ByteBuffer b, int base, int avail, ChecksumPolicy policy) {
        TcpSegment s = decodeV4OrNull(b, policy, null);
        if (s != null) {
            return DecodeResult.ok(new TcpPacket(IpCodec.v4Header(b, base), s));
        }
        DecodeResult.Malformed<TcpPacket> ipRefusal = IpCodec.v4Refusal(b, base, avail);
        if (ipRefusal != null) {
            return ipRefusal;
        }
        int protocol = b.get(base + 9) & 0xFF;
        if (protocol != IpHeader.PROTOCOL_TCP) {
            return DecodeResult.malformed(9, "IP protocol " + protocol + " is not TCP", MibCounter.IP_IN_UNKNOWN_PROTOS);
        }
        int ihl = (b.get(base) & 0x0F) * 4;
        int n = IpCodec.v4TotalLength(b, base) - ihl;
        return TcpCodec.refusal(b, base + ihl, n, v4PseudoHeaderSum(b, base, n), policy, ihl);
    }

    /**
     * The segment of the IPv4 packet in {@code [position, limit)}, or null when the packet is not
     * IPv4 or {@link #decode(ByteBuffer, ChecksumPolicy)} refuses it (and says why). A stack's
     * path for every packet: no result, no packet and no IP header value is made, and the
     * addresses stay in the packet (bytes 12 to 19) for the caller to read as ints. With
     * {@code into}, the segment's first timestamps option and first DSS are decoded there, as
     * fields, and left out of its list ({@link IncomingOptions#take} gives the same from the
     * segment {@code decode} gives). The buffer's position does not move.
     */
    public static TcpSegment decodeV4OrNull(ByteBuffer ipPacket, ChecksumPolicy policy, IncomingOptions into) {
        int base = ipPacket.position();
        int avail = ipPacket.remaining();
        if (avail < 1 || (ipPacket.get(base) & 0xF0) != 0x40 || IpCodec.v4Refusal(ipPacket, base, avail) != null
                || (ipPacket.get(base + 9) & 0xFF) != IpHeader.PROTOCOL_TCP) {
            return null;
        }
        int ihl = (ipPacket.get(base) & 0x0F) * 4;
        int n = IpCodec.v4TotalLength(ipPacket, base) - ihl;
        return TcpCodec.decodeOrNull(ipPacket, base + ihl, n, v4PseudoHeaderSum(ipPacket, base, n), policy, into);
    }

    /** The pseudo-header sum (RFC 9293 section 3.1) of the {@code n} TCP bytes of the IPv4 packet at {@code base}. */
    private static int v4PseudoHeaderSum(ByteBuffer b, int base, int n) {
        return Checksums.pseudoHeaderSumV4(b.getInt(base + 12), b.getInt(base + 16), IpHeader.PROTOCOL_TCP, n);
    }

    /** Bytes {@link #encode} writes for this header and segment. */
    public static int encodedLength(IpHeader ip, TcpSegment seg) {
        return ip.headerLength() + TcpCodec.encodedLength(seg);
    }

    /**
     * Writes the full IP packet (header with its checksum, segment with its checksum) at
     * {@code out.position()}, advances the position, and returns the packet's length.
     *
     * @throws IllegalArgumentException when {@code ip} is not for TCP or the segment cannot be encoded
     */
    public static int encode(IpHeader ip, TcpSegment seg, ByteBuffer out) {
        return encode(ip, seg, out, false);
    }

    /**
     * As {@link #encode(IpHeader, TcpSegment, ByteBuffer)}; with {@code partialChecksum} the TCP
     * checksum is left for the device to complete (see {@link TcpCodec#encode(TcpSegment,
     * java.net.InetAddress, java.net.InetAddress, ByteBuffer, boolean)}).
     */
    public static int encode(IpHeader ip, TcpSegment seg, ByteBuffer out, boolean partialChecksum) {
        int start = startPacket(ip, out);
        TcpCodec.encode(seg, ip.source(), ip.destination(), out, partialChecksum);
        return finishPacket(ip, out, start);
    }

    /**
     * As {@link #encode(IpHeader, TcpSegment, ByteBuffer, boolean)} for the segment a stack is
     * sending, which {@link TcpCodec#encode(OutgoingSegment, java.net.InetAddress,
     * java.net.InetAddress, ByteBuffer, boolean)} writes without making a value of it.
     */
    public static int encode(IpHeader ip, OutgoingSegment seg, ByteBuffer out, boolean partialChecksum) {
        int start = startPacket(ip, out);
        TcpCodec.encode(seg, ip.source(), ip.destination(), out, partialChecksum);
        return finishPacket(ip, out, start);
    }

    /**
     * The segment goes first, behind room for the IP header, so that its options are laid out once
     * (their length gives the packet's); then the header, which needs that length. Returns where
     * the packet starts and moves the position to where the segment does.
     */
    private static int startPacket(IpHeader ip, ByteBuffer out) {
        if (ip.protocol() != IpHeader.PROTOCOL_TCP) {
            throw new IllegalArgumentException("IP header for protocol " + ip.protocol() + " cannot carry a TCP segment");
        }
        int start = out.position();
        if (out.remaining() < ip.headerLength()) {
            throw new java.nio.BufferOverflowException();
        }
        out.position(start + ip.headerLength());
        return start;
    }

    /** Writes the IP header in front of the segment just written; returns the packet's length, with the position after it. */
    private static int finishPacket(IpHeader ip, ByteBuffer out, int start) {
        int end = out.position();
        out.position(start);
        IpCodec.encodeHeader(ip, end - start - ip.headerLength(), out);
        out.position(end);
        return end - start;
    }

    /** The packet as a new byte array, for tests and pcap writers. */
    public static byte[] toBytes(IpHeader ip, TcpSegment seg) {
        ByteBuffer out = ByteBuffer.allocate(encodedLength(ip, seg));
        encode(ip, seg, out);
        return out.array();
    }
}
