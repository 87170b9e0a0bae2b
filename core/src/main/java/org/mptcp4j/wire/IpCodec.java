package org.mptcp4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) headers to and from bytes. Decoding checks everything a host
 * checks before handing the payload up (version, header length, total length, IPv4 header checksum,
 * no fragments) and refuses the rest with a typed {@link DecodeResult.Malformed}; it never throws
 * and never reads outside {@code [position, limit)}. Reads are absolute: the buffer's position is
 * left where it was.
 *
 * <p>Not supported, refused cleanly: IPv4 and IPv6 fragments (this stack sets DF and never
 * reassembles), IPv6 routing, fragment, AH and ESP headers. IPv6 hop-by-hop and destination
 * options headers are skipped (the header's protocol is the one after them; re-encoding the header
 * leaves them out). IPv4 options are skipped on decode and written as EOL bytes on encode (the
 * header records only their length).
 */
public final class IpCodec {
    private IpCodec() {}

    public static final int IPV4_MIN_HEADER = 20;
    public static final int IPV6_HEADER = 40;

    private static final int IPV4_FLAG_DF = 0x4000;
    private static final int IPV4_FLAG_MF = 0x2000;
    private static final int IPV4_FRAGMENT_OFFSET_MASK = 0x1FFF;

    private static final int NH_HOP_BY_HOP = 0;
    private static final int NH_ROUTING = 43;
    private static final int NH_FRAGMENT = 44;
    private static final int NH_DEST_OPTS = 60;

    /** Decodes the IP packet in {@code [position, limit)}. Offsets in a refusal count from position. */
    public static DecodeResult<IpPacket> decode(ByteBuffer packet) {
        int base = packet.position();
        int avail = packet.remaining();
        if (avail < 1) {
            return DecodeResult.malformed(0, "empty packet", MibCounter.IP_IN_HDR_ERRORS);
        }
        int version = (packet.get(base) & 0xFF) >>> 4;
        return switch (version) {
            case 4 -> decodeV4(packet, base, avail);
            case 6 -> decodeV6(packet, base, avail);
            default -> DecodeResult.malformed(0, "IP version " + version, MibCounter.IP_IN_HDR_ERRORS);
        };
    }

    private static DecodeResult<IpPacket> decodeV4(ByteBuffer b, int base, int avail) {
        DecodeResult<IpHeader.V4> header = decodeV4Header(b, base, avail);
        if (header instanceof DecodeResult.Malformed<IpHeader.V4> m) {
            return DecodeResult.malformed(m.offset(), m.reason(), m.counter());
        }
        IpHeader.V4 h = ((DecodeResult.Ok<IpHeader.V4>) header).value();
        int ihl = h.headerLength();
        return DecodeResult.ok(new IpPacket(h, b.slice(base + ihl, v4TotalLength(b, base) - ihl).asReadOnlyBuffer()));
    }

    /** The total length field of the IPv4 header at {@code base}: the payload ends there, not at the buffer's limit. */
    static int v4TotalLength(ByteBuffer b, int base) {
        return b.getShort(base + 2) & 0xFFFF;
    }

    /**
     * The checks and header of {@link #decode} for the IPv4 packet at {@code base} with {@code avail}
     * bytes, without the payload's view: its bytes are {@code [base + headerLength, base +}
     * {@link #v4TotalLength}{@code )}.
     */
    static DecodeResult<IpHeader.V4> decodeV4Header(ByteBuffer b, int base, int avail) {
        DecodeResult.Malformed<IpHeader.V4> refusal = v4Refusal(b, base, avail);
        return refusal != null ? refusal : DecodeResult.ok(v4Header(b, base));
    }

    /**
     * What {@link #decode} refuses the IPv4 packet at {@code base} with {@code avail} bytes for, or
     * null when a host accepts its header. For {@link TcpPackets}, which then reads the header with
     * {@link #v4Header} and views only the TCP payload: no result is made for a packet that passes.
     */
    static <T> DecodeResult.Malformed<T> v4Refusal(ByteBuffer b, int base, int avail) {
        if (avail < IPV4_MIN_HEADER) {
            return new DecodeResult.Malformed<>(0, "IPv4 packet of " + avail + " bytes is shorter than a header", MibCounter.IP_IN_HDR_ERRORS);
        }
        int ihl = (b.get(base) & 0x0F) * 4;
        if (ihl < IPV4_MIN_HEADER) {
            return new DecodeResult.Malformed<>(0, "IPv4 header length " + ihl + " below 20", MibCounter.IP_IN_HDR_ERRORS);
        }
        int totalLength = v4TotalLength(b, base);
        if (totalLength < ihl) {
            return new DecodeResult.Malformed<>(2, "IPv4 total length " + totalLength + " below header length " + ihl,
                    MibCounter.IP_IN_HDR_ERRORS);
        }
        // A link may pad a short frame (Ethernet minimum size): bytes past total length are not ours.
        if (totalLength > avail) {
            return new DecodeResult.Malformed<>(2, "IPv4 total length " + totalLength + " exceeds the " + avail + " bytes received",
                    MibCounter.IP_IN_HDR_ERRORS);
        }
        if (!Checksums.verifies(Checksums.sum(b, base, ihl, 0))) {
            return new DecodeResult.Malformed<>(10, "IPv4 header checksum", MibCounter.IP_IN_CSUM_ERRORS);
        }
        int flagsFrag = b.getShort(base + 6) & 0xFFFF;
        if ((flagsFrag & IPV4_FLAG_MF) != 0 || (flagsFrag & IPV4_FRAGMENT_OFFSET_MASK) != 0) {
            return new DecodeResult.Malformed<>(6, "IPv4 fragment (no reassembly)", MibCounter.IP_IN_FRAGMENTS);
        }
        return null;
    }

    /** The header of the IPv4 packet at {@code base}, which {@link #v4Refusal} accepted. */
    static IpHeader.V4 v4Header(ByteBuffer b, int base) {
        int ihl = (b.get(base) & 0x0F) * 4;
        int flagsFrag = b.getShort(base + 6) & 0xFFFF;
        Inet4Address src = v4Address(b.getInt(base + 12));
        Inet4Address dst = v4Address(b.getInt(base + 16));
        return new IpHeader.V4(src, dst, b.get(base + 9) & 0xFF, b.get(base + 8) & 0xFF, b.get(base + 1) & 0xFF,
                b.getShort(base + 4) & 0xFFFF, (flagsFrag & IPV4_FLAG_DF) != 0, ihl);
    }

    private static DecodeResult<IpPacket> decodeV6(ByteBuffer b, int base, int avail) {
        if (avail < IPV6_HEADER) {
            return DecodeResult.malformed(0, "IPv6 packet of " + avail + " bytes is shorter than a header", MibCounter.IP_IN_HDR_ERRORS);
        }
        int payloadLength = b.getShort(base + 4) & 0xFFFF;
        if (IPV6_HEADER + payloadLength > avail) {
            return DecodeResult.malformed(4, "IPv6 payload length " + payloadLength + " exceeds the " + (avail - IPV6_HEADER) + " bytes received", MibCounter.IP_IN_HDR_ERRORS);
        }
        int first = b.getInt(base);
        int nextHeader = b.get(base + 6) & 0xFF;
        int offset = IPV6_HEADER;
        int end = IPV6_HEADER + payloadLength;
        // Skip the extension headers that cannot change how TCP reads the packet (RFC 8200 section 4).
        while (nextHeader == NH_HOP_BY_HOP || nextHeader == NH_DEST_OPTS) {
            if (offset + 8 > end) {
                return DecodeResult.malformed(offset, "IPv6 extension header runs past the payload", MibCounter.IP_IN_HDR_ERRORS);
            }
            int len = ((b.get(base + offset + 1) & 0xFF) + 1) * 8;
            if (offset + len > end) {
                return DecodeResult.malformed(offset + 1, "IPv6 extension header length " + len + " runs past the payload", MibCounter.IP_IN_HDR_ERRORS);
            }
            nextHeader = b.get(base + offset) & 0xFF;
            offset += len;
        }
        if (nextHeader == NH_FRAGMENT) {
            return DecodeResult.malformed(offset, "IPv6 fragment (no reassembly)", MibCounter.IP_IN_FRAGMENTS);
        }
        if (nextHeader == NH_ROUTING || nextHeader == 50 || nextHeader == 51) {
            return DecodeResult.malformed(offset, "IPv6 extension header " + nextHeader + " not supported", MibCounter.IP_IN_HDR_ERRORS);
        }
        Inet6Address src = v6Address(b, base + 8);
        Inet6Address dst = v6Address(b, base + 24);
        IpHeader.V6 h = new IpHeader.V6(src, dst, nextHeader, b.get(base + 7) & 0xFF, (first >>> 20) & 0xFF, first & 0xF_FFFF);
        return DecodeResult.ok(new IpPacket(h, b.slice(base + offset, end - offset).asReadOnlyBuffer()));
    }

    /**
     * Writes {@code h} at {@code out.position()} for a payload of {@code payloadLength} bytes,
     * advances the position, and returns the bytes written. IPv4 gets its header checksum.
     *
     * @throws IllegalArgumentException when the header's fields are out of range or the packet would
     *     exceed 65535 bytes (a programming error, not network input)
     * @throws java.nio.BufferOverflowException when {@code out} has no room
     */
    public static int encodeHeader(IpHeader h, int payloadLength, ByteBuffer out) {
        return switch (h) {
            case IpHeader.V4 v4 -> encodeV4(v4, payloadLength, out);
            case IpHeader.V6 v6 -> encodeV6(v6, payloadLength, out);
        };
    }

    private static int encodeV4(IpHeader.V4 h, int payloadLength, ByteBuffer out) {
        int ihl = h.headerLength();
        if (ihl < IPV4_MIN_HEADER || ihl > 60 || ihl % 4 != 0) {
            throw new IllegalArgumentException("IPv4 header length " + ihl);
        }
        int total = ihl + payloadLength;
        if (payloadLength < 0 || total > 0xFFFF) {
            throw new IllegalArgumentException("IPv4 total length " + total);
        }
        if (out.remaining() < ihl) {
            throw new java.nio.BufferOverflowException();
        }
        int p = out.position();
        int versionTos = ((0x40 | (ihl / 4)) << 8) | (h.tos() & 0xFF);
        int flags = h.dontFragment() ? IPV4_FLAG_DF : 0;
        int ttlProtocol = ((h.ttl() & 0xFF) << 8) | (h.protocol() & 0xFF);
        int src = Checksums.v4Int(h.source());
        int dst = Checksums.v4Int(h.destination());
        out.putShort(p, (short) versionTos);
        out.putShort(p + 2, (short) total);
        out.putShort(p + 4, (short) h.identification());
        out.putShort(p + 6, (short) flags);
        out.putShort(p + 8, (short) ttlProtocol);
        out.putInt(p + 12, src);
        out.putInt(p + 16, dst);
        for (int i = IPV4_MIN_HEADER; i < ihl; i++) {
            out.put(p + i, (byte) 0); // EOL: options are not modelled
        }
        // The header's words summed as they are written (the EOL bytes add nothing), rather than
        // read back from the buffer just written.
        int sum = versionTos + (total & 0xFFFF) + (h.identification() & 0xFFFF) + flags + ttlProtocol
                + (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF);
        out.putShort(p + 10, (short) Checksums.finish(sum));
        out.position(p + ihl);
        return ihl;
    }

    private static int encodeV6(IpHeader.V6 h, int payloadLength, ByteBuffer out) {
        if (payloadLength < 0 || payloadLength > 0xFFFF) {
            throw new IllegalArgumentException("IPv6 payload length " + payloadLength);
        }
        if (out.remaining() < IPV6_HEADER) {
            throw new java.nio.BufferOverflowException();
        }
        int p = out.position();
        out.putInt(p, (6 << 28) | ((h.trafficClass() & 0xFF) << 20) | (h.flowLabel() & 0xF_FFFF));
        out.putShort(p + 4, (short) payloadLength);
        out.put(p + 6, (byte) h.protocol());
        out.put(p + 7, (byte) h.hopLimit());
        out.put(p + 8, h.source().getAddress());
        out.put(p + 24, h.destination().getAddress());
        out.position(p + IPV6_HEADER);
        return IPV6_HEADER;
    }

    /**
     * The address for {@code a}, from a small direct-mapped cache: a host sees the same few
     * addresses on every packet, and each new {@code Inet4Address} costs two objects. Entries are
     * published with release and read with acquire semantics, so stacks driven from different
     * threads share the cache safely; a collision only costs a new object.
     */
    static Inet4Address v4Address(int a) {
        int slot = (a * 0x9E3779B9) >>> (32 - V4_CACHE_BITS);
        Inet4Address cached = (Inet4Address) V4_CACHE_SLOT.getAcquire(V4_CACHE, slot);
        if (cached != null && Checksums.v4Int(cached) == a) {
            return cached;
        }
        Inet4Address fresh;
        try {
            fresh = (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
        V4_CACHE_SLOT.setRelease(V4_CACHE, slot, fresh);
        return fresh;
    }

    private static final int V4_CACHE_BITS = 10;
    private static final Inet4Address[] V4_CACHE = new Inet4Address[1 << V4_CACHE_BITS];
    private static final java.lang.invoke.VarHandle V4_CACHE_SLOT = java.lang.invoke.MethodHandles.arrayElementVarHandle(Inet4Address[].class);

    static Inet6Address v6Address(ByteBuffer b, int at) {
        byte[] a = new byte[16];
        b.get(at, a);
        try {
            return Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an address", e);
        }
    }
}
