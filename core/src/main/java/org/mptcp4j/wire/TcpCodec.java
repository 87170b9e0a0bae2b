package org.mptcp4j.wire;

import java.net.InetAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;
import org.mptcp4j.mib.MibCounter;

/**
 * A TCP segment (RFC 9293 section 3.1) to and from {@link TcpSegment}. Decoding verifies the
 * checksum over the pseudo-header, the data offset and the option space, and never throws or reads
 * outside {@code [position, limit)}; the payload of a decoded segment is a read-only view of the
 * input buffer, its position and limit where the payload lies in that buffer (copy it if the
 * buffer is reused). Encoding lays the options out as Linux does (see
 * {@link TcpOptions}), so a kernel's segment decoded and re-encoded gives back the same bytes.
 */
public final class TcpCodec {
    private TcpCodec() {}

    public static final int HEADER_LENGTH = 20;

    /** Decodes the segment in {@code [position, limit)} sent from {@code src} to {@code dst}. */
    public static DecodeResult<TcpSegment> decode(ByteBuffer tcp, InetAddress src, InetAddress dst) {
        return decode(tcp, src, dst, ChecksumPolicy.VERIFY, 0);
    }

    /** As {@link #decode(ByteBuffer, InetAddress, InetAddress)} with a checksum policy (for captures). */
    public static DecodeResult<TcpSegment> decode(ByteBuffer tcp, InetAddress src, InetAddress dst, ChecksumPolicy policy) {
        return decode(tcp, src, dst, policy, 0);
    }

    /** Refusal offsets are shifted by {@code reportBase} (the TCP header's offset in the IP packet). */
    static DecodeResult<TcpSegment> decode(ByteBuffer b, InetAddress src, InetAddress dst, ChecksumPolicy policy, int reportBase) {
        int base = b.position();
        int n = b.remaining();
        int pseudo = Checksums.pseudoHeaderSum(src, dst, IpHeader.PROTOCOL_TCP, n);
        TcpSegment s = decodeOrNull(b, base, n, pseudo, policy, null);
        return s != null ? DecodeResult.ok(s) : refusal(b, base, n, pseudo, policy, reportBase);
    }

    /**
     * The segment in the {@code n} bytes at absolute index {@code base} of {@code b}, whatever its
     * position and limit, or null when {@link #refusal} refuses it; {@code pseudo} is the
     * pseudo-header sum for {@code n} bytes. The path of every packet through {@link TcpPackets}:
     * no result and no message is made for a segment that decodes, and the payload's view is the
     * only view of the packet. With {@code into}, the first timestamps option and the first DSS
     * are decoded there instead of into the segment's list ({@link IncomingOptions}).
     */
    static TcpSegment decodeOrNull(ByteBuffer b, int base, int n, int pseudo, ChecksumPolicy policy, IncomingOptions into) {
        if (n < HEADER_LENGTH) {
            return null;
        }
        int doff = ((b.get(base + 12) & 0xFF) >>> 4) * 4;
        if (doff < HEADER_LENGTH || doff > n || !checksumAccepted(b, base, n, pseudo, policy)) {
            return null;
        }
        if (into != null) {
            into.clear();
        }
        List<TcpOption> opts = TcpOptions.parseOrNull(b, base + HEADER_LENGTH, doff - HEADER_LENGTH, into);
        if (opts == null) {
            return null;
        }
        int flags = ((b.get(base + 12) & 0x0F) << 8) | (b.get(base + 13) & 0xFF);
        return new TcpSegment(b.getShort(base) & 0xFFFF, b.getShort(base + 2) & 0xFFFF, b.getInt(base + 4), b.getInt(base + 8),
                flags, b.getShort(base + 14) & 0xFFFF, b.getShort(base + 18) & 0xFFFF, opts, payloadView(b, base + doff, base + n));
    }

    /**
     * Why the segment {@link #decodeOrNull} refused is malformed, checked in the same order; null
     * when it is not. Offsets count from {@code reportBase}, the TCP header's offset in the packet.
     */
    static <T> DecodeResult.Malformed<T> refusal(ByteBuffer b, int base, int n, int pseudo, ChecksumPolicy policy, int reportBase) {
        if (n < HEADER_LENGTH) {
            return new DecodeResult.Malformed<>(reportBase, "TCP segment of " + n + " bytes is shorter than a header", MibCounter.TCP_IN_ERRS);
        }
        int doff = ((b.get(base + 12) & 0xFF) >>> 4) * 4;
        if (doff < HEADER_LENGTH || doff > n) {
            return new DecodeResult.Malformed<>(reportBase + 12, "TCP data offset " + doff + " outside 20.." + n, MibCounter.TCP_IN_ERRS);
        }
        if (!checksumAccepted(b, base, n, pseudo, policy)) {
            return new DecodeResult.Malformed<>(reportBase + 16, "TCP checksum", MibCounter.TCP_IN_CSUM_ERRORS);
        }
        return TcpOptions.refusal(b, base + HEADER_LENGTH, doff - HEADER_LENGTH, reportBase + HEADER_LENGTH);
    }

    /** Whether the checksum passes under {@code policy}: verified, vouched for by the device, or left partial for it. */
    private static boolean checksumAccepted(ByteBuffer b, int base, int n, int pseudo, ChecksumPolicy policy) {
        return policy == ChecksumPolicy.DEVICE_VALIDATED || Checksums.verifies(Checksums.sum(b, base, n, pseudo))
                || policy == ChecksumPolicy.ACCEPT_OFFLOAD_PENDING && (b.getShort(base + 16) & 0xFFFF) == Checksums.fold(pseudo);
    }

    /**
     * The payload {@code [from, to)} of {@code b} as one read-only buffer: a read-only duplicate with
     * that position and limit (a slice made read-only would take two), or a slice where {@code b} is
     * read-only already.
     */
    private static ByteBuffer payloadView(ByteBuffer b, int from, int to) {
        if (from == to) {
            return TcpSegment.EMPTY;
        }
        if (b.isReadOnly()) {
            return b.slice(from, to - from);
        }
        return b.asReadOnlyBuffer().limit(to).position(from);
    }

    /** Bytes {@link #encode} writes: 20, the padded options, and the payload. */
    public static int encodedLength(TcpSegment s) {
        return HEADER_LENGTH + TcpOptions.layoutLength(s.options()) + s.payload().remaining();
    }

    /**
     * Writes {@code s} at {@code out.position()} with its checksum for the given addresses, and
     * advances the position by {@link #encodedLength(TcpSegment)}.
     *
     * @throws IllegalArgumentException when the options take more than 40 bytes (use
     *     {@link TcpOptionPacker} to choose what fits) or a field is out of range
     * @throws BufferOverflowException when {@code out} has no room
     */
    public static void encode(TcpSegment s, InetAddress src, InetAddress dst, ByteBuffer out) {
        encode(s, src, dst, out, false);
    }

    /**
     * As {@link #encode(TcpSegment, InetAddress, InetAddress, ByteBuffer)}; with {@code partialChecksum}
     * the checksum field holds only the folded pseudo-header sum, not complemented, for a device
     * that completes it (Linux {@code CHECKSUM_PARTIAL}; virtio's {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}),
     * as segmentation offload requires: the device sums each piece it cuts.
     */
    public static void encode(TcpSegment s, InetAddress src, InetAddress dst, ByteBuffer out, boolean partialChecksum) {
        int p = out.position();
        int payloadLength = s.payload().remaining();
        // With room for any valid option space the options are laid out once, written as they go.
        boolean writeOnce = out.remaining() >= HEADER_LENGTH + TcpOptions.MAX_SPACE + payloadLength;
        int optLen = writeOnce ? TcpOptions.layoutLength(s.options(), out, p + HEADER_LENGTH, TcpOptions.MAX_SPACE)
                : TcpOptions.layoutLength(s.options());
        if (optLen > TcpOptions.MAX_SPACE) {
            throw new IllegalArgumentException("options need " + optLen + " bytes, the header holds 40: " + s.options());
        }
        int total = HEADER_LENGTH + optLen + payloadLength;
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("TCP segment of " + total + " bytes");
        }
        if (out.remaining() < total) {
            throw new BufferOverflowException();
        }
        if (!writeOnce) {
            TcpOptions.write(s.options(), out, p + HEADER_LENGTH);
        }
        ByteBuffer payload = s.payload();
        out.put(p + HEADER_LENGTH + optLen, payload, payload.position(), payload.remaining());
        finish(out, p, s.srcPort(), s.dstPort(), s.seq(), s.ack(), s.flags(), s.window(), s.urgentPointer(), optLen, total, src, dst,
                partialChecksum);
    }

    /**
     * Writes {@code s} at {@code out.position()} as {@link #encode(TcpSegment, InetAddress, InetAddress, ByteBuffer, boolean)}
     * writes {@code s.toSegment()}, with no value made on the way; advances the position.
     *
     * @throws BufferOverflowException when {@code out} has no room for the header, 40 bytes of
     *     options and the payload
     */
    public static void encode(OutgoingSegment s, InetAddress src, InetAddress dst, ByteBuffer out, boolean partialChecksum) {
        int p = out.position();
        int payloadLength = s.payloadLength();
        if (out.remaining() < HEADER_LENGTH + TcpOptions.MAX_SPACE + payloadLength) {
            throw new BufferOverflowException();
        }
        int optLen = TcpOptions.write(s, out, p + HEADER_LENGTH);
        if (optLen > TcpOptions.MAX_SPACE) {
            throw new IllegalArgumentException("options need " + optLen + " bytes, the header holds 40: " + s.toSegment().options());
        }
        int total = HEADER_LENGTH + optLen + payloadLength;
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("TCP segment of " + total + " bytes");
        }
        s.copyPayload(out, p + HEADER_LENGTH + optLen);
        finish(out, p, s.srcPort, s.dstPort, s.seq, s.ack, s.flags, s.window, 0, optLen, total, src, dst, partialChecksum);
    }

    /**
     * The header and the checksum of a segment of {@code total} bytes at {@code p} whose options
     * ({@code optLen} bytes) and payload are in place; moves the position past the segment.
     */
    private static void finish(ByteBuffer out, int p, int srcPort, int dstPort, int seq, int ack, int flags, int window,
            int urgentPointer, int optLen, int total, InetAddress src, InetAddress dst, boolean partialChecksum) {
        int doff = (HEADER_LENGTH + optLen) / 4;
        out.putShort(p, (short) srcPort);
        out.putShort(p + 2, (short) dstPort);
        out.putInt(p + 4, seq);
        out.putInt(p + 8, ack);
        out.put(p + 12, (byte) ((doff << 4) | ((flags >>> 8) & 0x0F)));
        out.put(p + 13, (byte) flags);
        out.putShort(p + 14, (short) window);
        out.putShort(p + 16, (short) 0);
        out.putShort(p + 18, (short) urgentPointer);
        int sum = Checksums.pseudoHeaderSum(src, dst, IpHeader.PROTOCOL_TCP, total);
        out.putShort(p + 16, (short) (partialChecksum ? Checksums.fold(sum) : Checksums.finish(Checksums.sum(out, p, total, sum))));
        out.position(p + total);
    }
}
