package org.mptcp4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) in IP packets, to and from bytes, for path MTU discovery:
 * a router encodes "fragmentation needed" (RFC 1191) or "packet too big" (RFC 8201) with
 * {@link #encodePacketTooBig}; a host decodes whatever ICMP arrives with {@link #decode}.
 *
 * <p>Decoding never throws and never reads outside {@code [position, limit)}; refusals are typed,
 * with the counter Linux uses ({@code IcmpInErrors}, {@code IcmpInCsumErrors} and their ICMPv6
 * twins) and offsets from the start of the IP packet. It checks the ICMP checksum (RFC 792; for
 * ICMPv6 over the pseudo-header too, RFC 4443 section 2.3) and, for the two messages it reads in
 * full, that the quote holds the original IP header and at least 8 bytes after it. Whether the
 * quote names a connection of ours is the stack's question (RFC 5927), not the codec's.
 */
public final class IcmpCodec {
    private IcmpCodec() {}

    /** Type, code, checksum and the 4-byte field that follows them. */
    public static final int HEADER_BYTES = 8;
    /** Bytes of the original payload every quote holds at least (RFC 792: "64 bits of Data Datagram"). */
    public static final int QUOTED_PAYLOAD_BYTES = 8;
    /** An ICMP error, IP header included, stays within the 576 bytes every IPv4 host accepts (RFC 1812 4.3.2.3). */
    static final int IPV4_ERROR_MAX = 576;
    /** An ICMPv6 error stays within the IPv6 minimum MTU (RFC 4443 section 2.4 (c)). */
    static final int IPV6_ERROR_MAX = 1280;

    /** Decodes an IP packet carrying ICMP or ICMPv6 from {@code [position, limit)}. */
    public static DecodeResult<IcmpMessage> decode(ByteBuffer ipPacket) {
        DecodeResult<IpPacket> decoded = IpCodec.decode(ipPacket);
        if (decoded instanceof DecodeResult.Malformed<IpPacket> m) {
            return DecodeResult.malformed(m.offset(), m.reason(), m.counter());
        }
        IpPacket packet = ((DecodeResult.Ok<IpPacket>) decoded).value();
        IpHeader ip = packet.header();
        boolean v4 = ip instanceof IpHeader.V4;
        if (ip.protocol() != (v4 ? IcmpMessage.PROTOCOL_ICMP : IcmpMessage.PROTOCOL_ICMPV6)) {
            return DecodeResult.malformed(v4 ? 9 : 6, "IP protocol " + ip.protocol() + " is not ICMP",
                    MibCounter.IP_IN_UNKNOWN_PROTOS);
        }
        ByteBuffer icmp = packet.payload();
        int at = icmp.position();
        int length = icmp.remaining();
        int base = switch (ip) {
            case IpHeader.V4 h -> h.headerLength();
            // Extension headers may sit in between: the ICMP bytes end where the IPv6 payload ends.
            case IpHeader.V6 h -> IpCodec.IPV6_HEADER + (ipPacket.getShort(ipPacket.position() + 4) & 0xFFFF) - length;
        };
        MibCounter errors = v4 ? MibCounter.ICMP_IN_ERRORS : MibCounter.ICMP6_IN_ERRORS;
        if (length < HEADER_BYTES) {
            return DecodeResult.malformed(base, "ICMP message of " + length + " bytes is shorter than its header", errors);
        }
        int sum = Checksums.sum(icmp, at, length, 0);
        if (!v4) {
            sum += Checksums.pseudoHeaderSum(ip.source(), ip.destination(), IcmpMessage.PROTOCOL_ICMPV6, length);
        }
        if (!Checksums.verifies(sum)) {
            return DecodeResult.malformed(base + 2, "ICMP checksum",
                    v4 ? MibCounter.ICMP_IN_CSUM_ERRORS : MibCounter.ICMP6_IN_CSUM_ERRORS);
        }
        int type = icmp.get(at) & 0xFF;
        int code = icmp.get(at + 1) & 0xFF;
        int mtu;
        if (v4 && type == IcmpMessage.ICMP_DEST_UNREACH && code == IcmpMessage.ICMP_FRAG_NEEDED) {
            mtu = icmp.getShort(at + 6) & 0xFFFF; // RFC 1191 section 4: the low 16 bits of the field
        } else if (!v4 && type == IcmpMessage.ICMPV6_PACKET_TOO_BIG) {
            // RFC 4443 section 3.2: 32 bits; the code is ignored by the receiver.
            mtu = (int) Math.min(Integer.MAX_VALUE, icmp.getInt(at + 4) & 0xFFFF_FFFFL);
        } else {
            return DecodeResult.ok(new IcmpMessage.Other(ip, type, code));
        }
        DecodeResult<IcmpMessage.Quote> quote = v4
                ? quoteV4(icmp, at + HEADER_BYTES, length - HEADER_BYTES, base + HEADER_BYTES)
                : quoteV6(icmp, at + HEADER_BYTES, length - HEADER_BYTES, base + HEADER_BYTES);
        if (quote instanceof DecodeResult.Malformed<IcmpMessage.Quote> m) {
            return DecodeResult.malformed(m.offset(), m.reason(), m.counter());
        }
        return DecodeResult.ok(new IcmpMessage.PacketTooBig(ip, mtu, ((DecodeResult.Ok<IcmpMessage.Quote>) quote).value()));
    }

    private static DecodeResult<IcmpMessage.Quote> quoteV4(ByteBuffer b, int at, int length, int offset) {
        MibCounter errors = MibCounter.ICMP_IN_ERRORS;
        if (length < IpCodec.IPV4_MIN_HEADER + QUOTED_PAYLOAD_BYTES) {
            return DecodeResult.malformed(offset, "quote of " + length + " bytes is shorter than an IPv4 header and 8 bytes", errors);
        }
        int first = b.get(at) & 0xFF;
        int ihl = (first & 0x0F) * 4;
        if (first >>> 4 != 4 || ihl < IpCodec.IPV4_MIN_HEADER) {
            return DecodeResult.malformed(offset, "quoted IPv4 header: version " + (first >>> 4) + ", length " + ihl, errors);
        }
        if (length < ihl + QUOTED_PAYLOAD_BYTES) {
            return DecodeResult.malformed(offset, "quote of " + length + " bytes ends inside the quoted header of " + ihl
                    + " bytes and its 8 bytes of payload", errors);
        }
        int flags = b.getShort(at + 6) & 0xFFFF;
        IpHeader.V4 h = new IpHeader.V4(IpCodec.v4Address(b.getInt(at + 12)), IpCodec.v4Address(b.getInt(at + 16)),
                b.get(at + 9) & 0xFF, b.get(at + 8) & 0xFF, b.get(at + 1) & 0xFF, b.getShort(at + 4) & 0xFFFF,
                (flags & 0x4000) != 0, ihl);
        return DecodeResult.ok(transport(h, b.getShort(at + 2) & 0xFFFF, b, at + ihl));
    }

    private static DecodeResult<IcmpMessage.Quote> quoteV6(ByteBuffer b, int at, int length, int offset) {
        MibCounter errors = MibCounter.ICMP6_IN_ERRORS;
        if (length < IpCodec.IPV6_HEADER + QUOTED_PAYLOAD_BYTES) {
            return DecodeResult.malformed(offset, "quote of " + length + " bytes is shorter than an IPv6 header and 8 bytes", errors);
        }
        int first = b.getInt(at);
        if (first >>> 28 != 6) {
            return DecodeResult.malformed(offset, "quoted IP version " + (first >>> 28) + " in ICMPv6", errors);
        }
        // A quoted extension header would stand where the transport header is: this stack sends none,
        // so the quote is read as is; the stack refuses a protocol other than TCP.
        IpHeader.V6 h = new IpHeader.V6(IpCodec.v6Address(b, at + 8), IpCodec.v6Address(b, at + 24), b.get(at + 6) & 0xFF,
                b.get(at + 7) & 0xFF, (first >>> 20) & 0xFF, first & 0xF_FFFF);
        return DecodeResult.ok(transport(h, IpCodec.IPV6_HEADER + (b.getShort(at + 4) & 0xFFFF), b, at + IpCodec.IPV6_HEADER));
    }

    private static IcmpMessage.Quote transport(IpHeader h, int packetLength, ByteBuffer b, int at) {
        return new IcmpMessage.Quote(h, packetLength, b.getShort(at) & 0xFFFF, b.getShort(at + 2) & 0xFFFF, b.getInt(at + 4));
    }

    /** Bytes {@link #encodePacketTooBig} writes for an original packet of {@code originalLength} bytes. */
    public static int encodedLength(IpHeader ip, int originalLength) {
        return ip.headerLength() + HEADER_BYTES + quoteLength(ip, originalLength);
    }

    private static int quoteLength(IpHeader ip, int originalLength) {
        int max = ip instanceof IpHeader.V4 ? IPV4_ERROR_MAX : IPV6_ERROR_MAX;
        return Math.min(originalLength, max - ip.headerLength() - HEADER_BYTES);
    }

    /**
     * Writes at {@code out.position()} an IP packet with header {@code ip} (from the router, to the
     * original packet's source; protocol ICMP or ICMPv6 to match its family) carrying "fragmentation
     * needed" (IPv4, RFC 1191 section 4) or "packet too big" (IPv6, RFC 4443 section 3.2) with the
     * next-hop {@code mtu}, quoting as much of {@code original} ({@code [position, limit)}, left
     * unchanged) as fits in 576 bytes (IPv4, RFC 1812 4.3.2.3) or 1280 bytes (IPv6, RFC 4443 2.4).
     * Advances the position; returns the packet's length.
     *
     * @throws IllegalArgumentException when {@code ip} is not for ICMP of its family or {@code mtu}
     *     does not fit the message's field (a programming error, not network input)
     * @throws java.nio.BufferOverflowException when {@code out} has no room
     */
    public static int encodePacketTooBig(IpHeader ip, int mtu, ByteBuffer original, ByteBuffer out) {
        boolean v4 = ip instanceof IpHeader.V4;
        if (ip.protocol() != (v4 ? IcmpMessage.PROTOCOL_ICMP : IcmpMessage.PROTOCOL_ICMPV6)) {
            throw new IllegalArgumentException("IP header for protocol " + ip.protocol() + " cannot carry this ICMP message");
        }
        if (mtu < 0 || (v4 && mtu > 0xFFFF)) {
            throw new IllegalArgumentException("next-hop MTU " + mtu);
        }
        int quote = quoteLength(ip, original.remaining());
        int icmpLength = HEADER_BYTES + quote;
        if (out.remaining() < ip.headerLength() + icmpLength) {
            throw new java.nio.BufferOverflowException();
        }
        int start = out.position();
        IpCodec.encodeHeader(ip, icmpLength, out);
        int p = out.position();
        out.put(p, (byte) (v4 ? IcmpMessage.ICMP_DEST_UNREACH : IcmpMessage.ICMPV6_PACKET_TOO_BIG));
        out.put(p + 1, (byte) (v4 ? IcmpMessage.ICMP_FRAG_NEEDED : 0));
        out.putShort(p + 2, (short) 0);
        out.putInt(p + 4, mtu); // IPv4: 16 unused bits, then the MTU (RFC 1191); IPv6: 32 bits
        out.put(p + HEADER_BYTES, original, original.position(), quote);
        int sum = Checksums.sum(out, p, icmpLength, 0);
        if (!v4) {
            sum += Checksums.pseudoHeaderSum(ip.source(), ip.destination(), IcmpMessage.PROTOCOL_ICMPV6, icmpLength);
        }
        out.putShort(p + 2, (short) Checksums.finish(sum));
        out.position(p + icmpLength);
        return out.position() - start;
    }

    /** The outer header a router puts on its ICMP error (RFC 1812 4.3.2.5: precedence 6, "internetwork control"). */
    public static IpHeader errorHeader(java.net.InetAddress router, java.net.InetAddress originalSource) {
        if (router instanceof Inet4Address r && originalSource instanceof Inet4Address s) {
            return new IpHeader.V4(r, s, IcmpMessage.PROTOCOL_ICMP, 64, 0xC0, 0, false, IpCodec.IPV4_MIN_HEADER);
        }
        if (router instanceof Inet6Address r && originalSource instanceof Inet6Address s) {
            return IpHeader.V6.of(r, s, IcmpMessage.PROTOCOL_ICMPV6);
        }
        throw new IllegalArgumentException("addresses of different families: " + router + ", " + originalSource);
    }
}
