package org.mptcp4j.sim.traffic;

import java.nio.ByteBuffer;
import org.mptcp4j.wire.Checksums;

/**
 * Builds and checks IPv4+UDP datagrams (RFC 791, RFC 768) for the simulator's own traffic
 * generators. The payload starts with a 64-bit sequence number and the 64-bit send time, so a sink
 * can measure loss, reordering, duplication and one-way delay. The full wire codec is core's
 * {@code org.mptcp4j.wire}; this is only what test traffic needs.
 */
public final class Ipv4Udp {
    public static final int IP_HEADER_BYTES = 20;
    public static final int UDP_HEADER_BYTES = 8;
    public static final int HEADERS_BYTES = IP_HEADER_BYTES + UDP_HEADER_BYTES;
    /** Sequence number and send time. */
    public static final int MIN_PAYLOAD_BYTES = 16;
    public static final int PROTOCOL_UDP = 17;

    private Ipv4Udp() {}

    /** What {@link #check} found. */
    public enum Verdict { OK, MALFORMED, NOT_UDP, BAD_IP_CHECKSUM, BAD_UDP_CHECKSUM }

    /**
     * Writes one datagram at {@code out}'s position (advancing it) and returns its length.
     *
     * @param payloadBytes at least {@link #MIN_PAYLOAD_BYTES}
     */
    public static int write(ByteBuffer out, byte[] src, byte[] dst, int srcPort, int dstPort,
                            int ipId, long seq, long sendNanos, int payloadBytes) {
        if (payloadBytes < MIN_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload must hold seq and time: " + payloadBytes);
        }
        int total = HEADERS_BYTES + payloadBytes;
        if (total > 65_535) {
            throw new IllegalArgumentException("datagram too long: " + total);
        }
        int start = out.position();
        out.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) ipId)
                .putShort((short) 0x4000) // DF, no fragments
                .put((byte) 64).put((byte) PROTOCOL_UDP).putShort((short) 0).put(src).put(dst);
        out.putShort(start + 10, (short) ~sum(out, start, IP_HEADER_BYTES, 0));
        int udp = start + IP_HEADER_BYTES;
        out.putShort((short) srcPort).putShort((short) dstPort)
                .putShort((short) (UDP_HEADER_BYTES + payloadBytes)).putShort((short) 0);
        out.putLong(seq).putLong(sendNanos);
        for (int i = MIN_PAYLOAD_BYTES; i < payloadBytes; i++) {
            out.put((byte) i); // a fixed pattern, so restamp() needs to touch only seq and time
        }
        int check = ~sum(out, udp, UDP_HEADER_BYTES + payloadBytes, pseudoHeader(out, start)) & 0xFFFF;
        // RFC 768: a computed checksum of zero is sent as all ones.
        out.putShort(udp + 6, (short) (check == 0 ? 0xFFFF : check));
        return total;
    }

    /** Checks the datagram from {@code p}'s position to its limit; never throws. */
    public static Verdict check(ByteBuffer p) {
        int start = p.position();
        int length = p.remaining();
        if (length < HEADERS_BYTES || (p.get(start) & 0xFF) != 0x45) {
            return Verdict.MALFORMED;
        }
        int total = p.getShort(start + 2) & 0xFFFF;
        if (total > length || total < HEADERS_BYTES) {
            return Verdict.MALFORMED;
        }
        if ((p.get(start + 9) & 0xFF) != PROTOCOL_UDP) {
            return Verdict.NOT_UDP;
        }
        if ((~sum(p, start, IP_HEADER_BYTES, 0) & 0xFFFF) != 0) {
            return Verdict.BAD_IP_CHECKSUM;
        }
        int udp = start + IP_HEADER_BYTES;
        int udpLength = p.getShort(udp + 4) & 0xFFFF;
        if (udpLength != total - IP_HEADER_BYTES) {
            return Verdict.MALFORMED;
        }
        if ((p.getShort(udp + 6) & 0xFFFF) != 0
                && (~sum(p, udp, udpLength, pseudoHeader(p, start)) & 0xFFFF) != 0) {
            return Verdict.BAD_UDP_CHECKSUM;
        }
        return Verdict.OK;
    }

    /** The sequence number of a datagram {@link #check} accepted. */
    public static long seq(ByteBuffer p) {
        return p.getLong(p.position() + HEADERS_BYTES);
    }

    /** The send time of a datagram {@link #check} accepted. */
    public static long sendNanos(ByteBuffer p) {
        return p.getLong(p.position() + HEADERS_BYTES + 8);
    }

    public static int destinationPort(ByteBuffer p) {
        return p.getShort(p.position() + IP_HEADER_BYTES + 2) & 0xFFFF;
    }

    /** RFC 768 pseudo-header sum: addresses, protocol, UDP length. */
    private static int pseudoHeader(ByteBuffer p, int ipStart) {
        int s = sum(p, ipStart + 12, 8, 0);
        int udpLength = (p.getShort(ipStart + 2) & 0xFFFF) - IP_HEADER_BYTES;
        return s + PROTOCOL_UDP + udpLength;
    }

    /**
     * RFC 1071 one's-complement sum of {@code len} bytes plus {@code initial} (not negative), folded
     * to 16 bits: {@link Checksums#sum(ByteBuffer, int, int, int)}, which reads a heap buffer's
     * array 8 bytes at a time in the machine's byte order.
     */
    static int sum(ByteBuffer p, int offset, int len, int initial) {
        return Checksums.sum(p, offset, len, initial);
    }

    /**
     * Rewrites the IP identification, sequence number and send time of a datagram {@link #write}
     * produced (at {@code p}'s position), updating both checksums incrementally (RFC 1624 eqn. 3:
     * {@code HC' = ~(~HC + ~m + m')}) instead of summing the whole payload again.
     */
    public static void restamp(ByteBuffer p, int ipId, long seq, long sendNanos) {
        int start = p.position();
        int oldId = p.getShort(start + 4) & 0xFFFF;
        p.putShort(start + 4, (short) ipId);
        update(p, start + 10, oldId, ipId & 0xFFFF);
        int at = start + HEADERS_BYTES;
        int oldWords = sum(p, at, 16, 0);
        p.putLong(at, seq).putLong(at + 8, sendNanos);
        int newWords = sum(p, at, 16, 0);
        int udpCheck = start + IP_HEADER_BYTES + 6;
        update(p, udpCheck, oldWords, newWords);
        if (p.getShort(udpCheck) == 0) {
            p.putShort(udpCheck, (short) 0xFFFF); // RFC 768: zero is sent as all ones
        }
    }

    /** Replaces {@code oldSum} by {@code newSum} in the checksum at {@code at} (RFC 1624). */
    private static void update(ByteBuffer p, int at, int oldSum, int newSum) {
        int hc = p.getShort(at) & 0xFFFF;
        long s = (~hc & 0xFFFF) + (~oldSum & 0xFFFF) + newSum;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        p.putShort(at, (short) ~s);
    }
}
