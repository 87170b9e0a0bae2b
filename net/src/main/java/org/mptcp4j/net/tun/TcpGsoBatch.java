package org.mptcp4j.net.tun;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.mptcp4j.wire.Checksums;

/**
 * Coalesces back-to-back IPv4 TCP segments of one flow into a single GSO packet for a TUN device
 * opened with {@code IFF_VNET_HDR} (the DESIGN notes' "road to speed"): one {@code write(2)} and one
 * trip through the kernel's stack for up to 64 KB, which the kernel cuts into MSS-sized segments only
 * if a device on the way needs them (a veth path with GRO/TSO passes the large packet through).
 *
 * <p>A segment joins the batch only when the result is exactly what Linux TCP segmentation offload
 * turns back into the original segments ({@code tcp_gso_segment}): same addresses, TOS, TTL, ports,
 * ACK number, window and options byte for byte; consecutive sequence numbers; every segment but the
 * last carrying exactly {@code gso_size} bytes; flags ACK, with PSH allowed on the last. Anything else
 * is written on its own. The batch is laid out as the 10-byte {@code struct virtio_net_hdr}
 * followed by the IP packet.
 */
final class TcpGsoBatch {
    /** {@code struct virtio_net_hdr} without {@code num_buffers}. */
    static final int VNET_HDR_LEN = 10;
    static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
    static final int VIRTIO_NET_HDR_GSO_TCPV4 = 1;
    static final int VIRTIO_NET_HDR_GSO_TCPV6 = 4;
    private static final int MAX_IP_LENGTH = 65_535;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;

    private final MemorySegment segment;
    /** The whole buffer, virtio header at 0, IP packet at {@link #VNET_HDR_LEN}. */
    private final ByteBuffer buf;
    private int ipLength;
    private int segments;
    private int gsoSize;
    private int lastPayload;
    private int ihl;
    private int tcpHeaderLength;
    private int nextSeq;
    private long coalesced;

    TcpGsoBatch(MemorySegment segment) {
        this.segment = segment;
        this.buf = segment.asByteBuffer();
    }

    boolean isEmpty() {
        return ipLength == 0;
    }

    /** Segments that went out inside a larger GSO packet rather than on their own. */
    long coalesced() {
        return coalesced;
    }

    /** Adds {@code p} (position..limit) to the batch if it fits; false means: flush, then {@link #start}. */
    boolean tryAppend(ByteBuffer p) {
        if (ipLength == 0 || segments == 0) {
            return false;
        }
        int at = p.position();
        int len = p.remaining();
        if (!isPlainIpv4Tcp(p, at, len)) {
            return false;
        }
        int pIhl = (p.get(at) & 0x0f) * 4;
        int pThl = ((p.get(at + pIhl + 12) & 0xf0) >>> 4) * 4;
        int payload = len - pIhl - pThl;
        int base = VNET_HDR_LEN;
        if (pIhl != ihl || pThl != tcpHeaderLength || payload <= 0 || payload > gsoSize
                || lastPayload != gsoSize || ipLength + payload > MAX_IP_LENGTH) {
            return false;
        }
        // IP: version/IHL, TOS, flags/fragment, TTL, protocol, addresses must match (length, id, checksum may not).
        if (p.getShort(at) != buf.getShort(base) || p.getShort(at + 6) != buf.getShort(base + 6)
                || p.getShort(at + 8) != buf.getShort(base + 8) || p.getLong(at + 12) != buf.getLong(base + 12)) {
            return false;
        }
        int t = at + pIhl;
        int bt = base + ihl;
        int flags = p.get(t + 13) & 0xff;
        int batchFlags = buf.get(bt + 13) & 0xff;
        if (p.getInt(t) != buf.getInt(bt) || p.getInt(t + 4) != nextSeq || p.getInt(t + 8) != buf.getInt(bt + 8)
                || (flags != TCP_ACK && flags != (TCP_ACK | TCP_PSH)) || batchFlags != TCP_ACK
                || p.get(t + 12) != buf.get(bt + 12) || p.getShort(t + 14) != buf.getShort(bt + 14)
                || p.getShort(t + 18) != buf.getShort(bt + 18)) {
            return false;
        }
        for (int i = 20; i < pThl; i++) {
            if (p.get(t + i) != buf.get(bt + i)) {
                return false;
            }
        }
        MemorySegment.copy(MemorySegment.ofBuffer(p), pIhl + pThl, segment, base + ipLength, payload);
        buf.put(bt + 13, (byte) flags);
        ipLength += payload;
        segments++;
        lastPayload = payload;
        nextSeq += payload;
        return true;
    }

    /** Starts a new batch with {@code p}; the batch must be empty. */
    void start(ByteBuffer p) {
        int len = p.remaining();
        MemorySegment.copy(MemorySegment.ofBuffer(p), 0, segment, VNET_HDR_LEN, len);
        ipLength = len;
        segments = 0;
        if (isPlainIpv4Tcp(buf, VNET_HDR_LEN, len)) {
            ihl = (buf.get(VNET_HDR_LEN) & 0x0f) * 4;
            tcpHeaderLength = ((buf.get(VNET_HDR_LEN + ihl + 12) & 0xf0) >>> 4) * 4;
            int payload = len - ihl - tcpHeaderLength;
            int flags = buf.get(VNET_HDR_LEN + ihl + 13) & 0xff;
            if (payload > 0 && flags == TCP_ACK) {
                segments = 1;
                gsoSize = payload;
                lastPayload = payload;
                nextSeq = buf.getInt(VNET_HDR_LEN + ihl + 4) + payload;
            }
        }
    }

    /**
     * Finishes the batch: a lone packet gets an all-zero virtio header and stays as it was; a real
     * batch gets its IP length and header checksum, a partial TCP checksum (the pseudo-header sum the
     * kernel completes per segment) and a GSO header. Returns the bytes to write, header included.
     */
    int finish() {
        int base = VNET_HDR_LEN;
        buf.putLong(0, 0L);
        buf.putShort(8, (short) 0);
        if (segments >= 2) {
            buf.putShort(base + 2, (short) ipLength);
            buf.putShort(base + 10, (short) 0);
            buf.putShort(base + 10, (short) Checksums.ipv4HeaderChecksum(buf, base, ihl));
            int tcpLength = ipLength - ihl;
            int pseudo = Checksums.pseudoHeaderSumV4(buf.getInt(base + 12), buf.getInt(base + 16), 6, tcpLength);
            buf.putShort(base + ihl + 16, (short) Checksums.fold(pseudo));
            putTcpGsoHeader(buf, VIRTIO_NET_HDR_GSO_TCPV4, ihl, tcpHeaderLength, gsoSize);
            coalesced += segments - 1;
        }
        int total = VNET_HDR_LEN + ipLength;
        ipLength = 0;
        segments = 0;
        return total;
    }

    /**
     * Writes at {@code b}'s start the virtio header of a TCP packet the kernel is to cut into pieces
     * of {@code gsoSize} payload bytes and whose checksum it completes ({@code csum_start} after the
     * IP header, {@code csum_offset} 16: the TCP checksum field; virtio 1.2 section 5.1.6.2).
     */
    static void putTcpGsoHeader(ByteBuffer b, int gsoType, int ipHeaderLength, int tcpHeaderLength, int gsoSize) {
        b.put(0, (byte) VIRTIO_NET_HDR_F_NEEDS_CSUM);
        b.put(1, (byte) gsoType);
        // virtio_net_hdr fields are in the guest's (our) byte order: little-endian on x86-64 and aarch64.
        putLe16(b, 2, ipHeaderLength + tcpHeaderLength);
        putLe16(b, 4, gsoSize);
        putLe16(b, 6, ipHeaderLength);
        putLe16(b, 8, 16);
    }

    private static void putLe16(ByteBuffer b, int at, int v) {
        b.put(at, (byte) v);
        b.put(at + 1, (byte) (v >>> 8));
    }

    /** IPv4, no IP options, TCP, not a fragment, lengths consistent. */
    private static boolean isPlainIpv4Tcp(ByteBuffer p, int at, int len) {
        if (len < 40 || (p.get(at) & 0xff) != 0x45 || p.get(at + 9) != 6) {
            return false;
        }
        int fragment = p.getShort(at + 6) & 0x3fff;
        if (fragment != 0 || (p.getShort(at + 2) & 0xffff) != len) {
            return false;
        }
        int thl = ((p.get(at + 20 + 12) & 0xf0) >>> 4) * 4;
        return thl >= 20 && 20 + thl <= len;
    }
}
