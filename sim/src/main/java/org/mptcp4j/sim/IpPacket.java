package org.mptcp4j.sim;

/**
 * The few IPv4/IPv6 header fields the network reads (version, addresses, TTL/hop limit), read
 * straight from packet bytes. The full codec lives in core's {@code wire} package; a router needs
 * only this. Every method copes with short or garbled packets by answering 0 / false.
 */
public final class IpPacket {
    private IpPacket() {}

    /** 4, 6, or 0 when {@code length} is too short for the header that version needs. */
    public static int version(byte[] p, int length) {
        if (length < 1) {
            return 0;
        }
        int v = (p[0] & 0xFF) >>> 4;
        if (v == 4 && length >= 20 && (p[0] & 0x0F) >= 5 && (p[0] & 0x0F) * 4 <= length) {
            return 4;
        }
        if (v == 6 && length >= 40) {
            return 6;
        }
        return 0;
    }

    /** The IP header length in bytes (IPv6: the fixed 40), or 0 when malformed. */
    public static int headerLength(byte[] p, int length) {
        return switch (version(p, length)) {
            case 4 -> (p[0] & 0x0F) * 4;
            case 6 -> 40;
            default -> 0;
        };
    }

    /** Where the TCP header starts in an IPv4 or IPv6 packet carrying TCP (no IPv6 extension header), or -1. */
    static int tcpOffset(byte[] p, int length) {
        return switch (version(p, length)) {
            case 4 -> p[9] == 6 ? (p[0] & 0x0F) * 4 : -1;
            case 6 -> p[6] == 6 && length >= 60 ? 40 : -1;
            default -> -1;
        };
    }

    /** Offset of the source address; the destination follows it (IPv4 at 12, IPv6 at 8). */
    static int sourceOffset(int version) {
        return version == 4 ? 12 : 8;
    }

    /** The four bytes at {@code p[offset..offset+4)} as a big-endian int (an IPv4 address). */
    static int int32(byte[] p, int offset) {
        return (p[offset] & 0xff) << 24 | (p[offset + 1] & 0xff) << 16 | (p[offset + 2] & 0xff) << 8
                | p[offset + 3] & 0xff;
    }

    static int addressLength(int version) {
        return version == 4 ? 4 : 16;
    }

    /**
     * Decrements the IPv4 TTL (updating the header checksum incrementally, RFC 1624 eqn. 3) or the
     * IPv6 hop limit. Returns false, changing nothing, when it is already 1 or 0: the packet must
     * not be forwarded (RFC 791 §3.2, RFC 8200 §3).
     */
    static boolean decrementTtl(byte[] p, int version) {
        if (version == 4) {
            int ttl = p[8] & 0xFF;
            if (ttl <= 1) {
                return false;
            }
            p[8] = (byte) (ttl - 1);
            // HC' = ~(~HC + ~m + m'), m = the 16-bit word holding TTL and protocol.
            int oldWord = (ttl << 8) | (p[9] & 0xFF);
            int newWord = ((ttl - 1) << 8) | (p[9] & 0xFF);
            int hc = ((p[10] & 0xFF) << 8) | (p[11] & 0xFF);
            int sum = (~hc & 0xFFFF) + (~oldWord & 0xFFFF) + newWord;
            sum = (sum & 0xFFFF) + (sum >>> 16);
            sum = (sum & 0xFFFF) + (sum >>> 16);
            int updated = ~sum & 0xFFFF;
            p[10] = (byte) (updated >>> 8);
            p[11] = (byte) updated;
            return true;
        }
        int hops = p[7] & 0xFF;
        if (hops <= 1) {
            return false;
        }
        p[7] = (byte) (hops - 1);
        return true;
    }
}
