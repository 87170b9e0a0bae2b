package org.mptcp4j.wire;

import java.nio.ByteBuffer;

/**
 * Software segmentation offload: cuts one large TCP packet (a "TSO segment" of up to 64 KB) into
 * packets of at most {@code gsoSize} payload bytes each, as a NIC or Linux's software GSO
 * ({@code tcp_gso_segment}) does: every piece repeats the IP and TCP headers, options included;
 * the sequence number advances by the payload before it; FIN and PSH stay on the last piece only,
 * CWR on the first only; IPv4 pieces get consecutive identifications, and each piece gets its own
 * lengths and checksums. The input's TCP checksum may be complete or partial: it is recomputed.
 *
 * <p>Used where a link cannot take a large packet (the simulator, UDP) and by tests that hand a
 * stack's large segments to a peer as a wire would.
 */
public final class TcpSegmentation {
    private TcpSegmentation() {}

    /** Receives each piece (position 0, limit its length) in the caller's scratch buffer, valid during the call. */
    @FunctionalInterface
    public interface Sink {
        void accept(ByteBuffer piece);
    }

    /**
     * Where each piece is built: a buffer with room for {@code length} bytes from index 0, asked for
     * once per piece just before it is built and handed to the {@link Sink}. A driver that owns
     * packet buffers builds each piece straight into the one it sends, without a copy through a
     * scratch buffer.
     */
    @FunctionalInterface
    public interface PieceBuffers {
        ByteBuffer next(int length);
    }

    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;

    /**
     * Cuts {@code packet} (position..limit, an IPv4 without options or IPv6 without extension
     * headers, carrying TCP) into pieces of {@code gsoSize} payload bytes, the last one shorter;
     * builds each in {@code scratch} (at least the headers plus {@code gsoSize} bytes) and hands it
     * to {@code sink}. Returns the number of pieces.
     *
     * @throws IllegalArgumentException when the packet is not plain IPv4/IPv6 TCP or {@code gsoSize < 1}
     */
    public static int segment(ByteBuffer packet, int gsoSize, ByteBuffer scratch, Sink sink) {
        return segment(packet, gsoSize, length -> scratch, sink);
    }

    /**
     * As {@link #segment(ByteBuffer, int, ByteBuffer, Sink)}, each piece built in the buffer
     * {@code buffers} gives for it.
     */
    public static int segment(ByteBuffer packet, int gsoSize, PieceBuffers buffers, Sink sink) {
        return segment(packet, gsoSize, buffers, sink, false);
    }

    /**
     * As {@link #segment(ByteBuffer, int, PieceBuffers, Sink)}; with {@code partialChecksum} each
     * piece's TCP checksum is left partial for a device that completes checksums (Linux
     * {@code CHECKSUM_PARTIAL}: the field holds the piece's pseudo-header sum, not complemented, as
     * {@link TcpCodec#encode(TcpSegment, java.net.InetAddress, java.net.InetAddress, ByteBuffer,
     * boolean)} writes it), and the payload is not summed at all.
     */
    public static int segment(ByteBuffer packet, int gsoSize, PieceBuffers buffers, Sink sink, boolean partialChecksum) {
        if (gsoSize < 1) {
            throw new IllegalArgumentException("gsoSize " + gsoSize);
        }
        int at = packet.position();
        int length = packet.remaining();
        int version = (packet.get(at) & 0xf0) >>> 4;
        int ipLength;
        if (version == 4) {
            ipLength = (packet.get(at) & 0x0f) * 4;
            if (ipLength != 20 || packet.get(at + 9) != IpHeader.PROTOCOL_TCP) {
                throw new IllegalArgumentException("not IPv4 TCP without IP options");
            }
        } else if (version == 6) {
            ipLength = IpCodec.IPV6_HEADER;
            if (packet.get(at + 6) != IpHeader.PROTOCOL_TCP) {
                throw new IllegalArgumentException("not IPv6 TCP without extension headers");
            }
        } else {
            throw new IllegalArgumentException("IP version " + version);
        }
        int tcpHeader = ((packet.get(at + ipLength + 12) & 0xf0) >>> 4) * 4;
        int headers = ipLength + tcpHeader;
        int payload = length - headers;
        if (tcpHeader < TcpCodec.HEADER_LENGTH || payload < 0) {
            throw new IllegalArgumentException("TCP header of " + tcpHeader + " bytes in a packet of " + length);
        }
        int tcp = ipLength;
        int seq0 = packet.getInt(at + tcp + 4);
        int flags0 = packet.get(at + tcp + 13) & 0xff;
        int id0 = version == 4 ? packet.getShort(at + 4) & 0xffff : 0;
        // The checksums are summed once over what every piece repeats, and per piece only over what
        // changes: RFC 1624's incremental update, the words that change taken out of the sums by
        // adding their one's complements. The payload is summed where it lies in the input, not
        // read back from the piece just written. Every sum here is positive (the version nibble, the
        // protocol), so it folds to the same checksum as summing the piece's bytes would.
        int ipFixed = 0; // IPv4 header without total length, identification and checksum
        int addresses; // the pseudo-header's addresses (RFC 9293 section 3.1, RFC 8200 section 8.1)
        if (version == 4) {
            ipFixed = Checksums.sum(packet, at, ipLength, 0) + negated(packet, at + 2) + negated(packet, at + 4) + negated(packet, at + 10);
            addresses = Checksums.sum(packet, at + 12, 8, 0);
        } else {
            addresses = Checksums.sum(packet, at + 8, 32, 0);
        }
        // TCP header and options without sequence number, offset-and-flags word and checksum.
        int tcpFixed = Checksums.sum(packet, at + tcp, tcpHeader, 0) + negated(packet, at + tcp + 4) + negated(packet, at + tcp + 6)
                + negated(packet, at + tcp + 12) + negated(packet, at + tcp + 16);
        int offsetWord = packet.get(at + tcp + 12) & 0xff;
        int pieces = Math.max(1, (payload + gsoSize - 1) / gsoSize);
        for (int i = 0; i < pieces; i++) {
            int offset = i * gsoSize;
            int chunk = Math.min(gsoSize, payload - offset);
            boolean last = i == pieces - 1;
            int total = headers + chunk;
            int tcpLength = total - ipLength;
            ByteBuffer scratch = buffers.next(total).clear();
            scratch.put(0, packet, at, headers);
            scratch.put(headers, packet, at + headers + offset, chunk);
            int seq = seq0 + offset;
            scratch.putInt(tcp + 4, seq);
            int flags = flags0 & ~((last ? 0 : FIN | PSH) | (i == 0 ? 0 : CWR));
            scratch.put(tcp + 13, (byte) flags);
            if (version == 4) {
                int id = (id0 + i) & 0xffff;
                scratch.putShort(2, (short) total);
                scratch.putShort(4, (short) id);
                scratch.putShort(10, (short) Checksums.finish(ipFixed + total + id));
            } else {
                scratch.putShort(4, (short) tcpLength);
            }
            int pseudo = addresses + IpHeader.PROTOCOL_TCP + tcpLength;
            if (partialChecksum) {
                scratch.putShort(tcp + 16, (short) Checksums.fold(pseudo));
            } else {
                int sum = Checksums.sum(packet, at + headers + offset, chunk, tcpFixed + pseudo + (seq >>> 16) + (seq & 0xffff)
                        + ((offsetWord << 8) | flags));
                scratch.putShort(tcp + 16, (short) Checksums.finish(sum));
            }
            scratch.position(0).limit(total);
            sink.accept(scratch);
        }
        return pieces;
    }

    /** The one's complement of the 16-bit word at {@code at}: adding it takes the word out of a sum. */
    private static int negated(ByteBuffer b, int at) {
        return ~b.getShort(at) & 0xffff;
    }
}
