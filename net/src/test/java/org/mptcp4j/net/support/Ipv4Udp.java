package org.mptcp4j.net.support;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Crafts and parses IPv4/UDP datagrams (RFC 791, RFC 768) for driver tests: the kernel on the other
 * side checks both checksums, so a reply it accepts proves the bytes went out intact.
 */
public record Ipv4Udp(InetAddress source, InetAddress destination, int sourcePort, int destinationPort, byte[] payload) {
    private static final int IP_HEADER = 20;
    private static final int UDP_HEADER = 8;
    private static final int PROTO_UDP = 17;

    public byte[] encode() {
        int total = IP_HEADER + UDP_HEADER + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total)
                .putShort((short) 0x1234).putShort((short) 0x4000) // DF, no fragments
                .put((byte) 64).put((byte) PROTO_UDP).putShort((short) 0)
                .put(source.getAddress()).put(destination.getAddress());
        b.putShort(10, (short) checksum(b.array(), 0, IP_HEADER, 0));
        b.putShort((short) sourcePort).putShort((short) destinationPort)
                .putShort((short) (UDP_HEADER + payload.length)).putShort((short) 0).put(payload);
        long pseudo = sum(source.getAddress()) + sum(destination.getAddress()) + PROTO_UDP + UDP_HEADER + payload.length;
        int udpSum = checksum(b.array(), IP_HEADER, UDP_HEADER + payload.length, pseudo);
        b.putShort(IP_HEADER + 6, (short) (udpSum == 0 ? 0xffff : udpSum));
        return b.array();
    }

    /** The datagram in {@code packet}, if it is an unfragmented IPv4/UDP packet. */
    public static Optional<Ipv4Udp> parse(byte[] packet, int length) {
        if (length < IP_HEADER + UDP_HEADER || (packet[0] >> 4) != 4 || packet[9] != PROTO_UDP) {
            return Optional.empty();
        }
        int ihl = (packet[0] & 0x0f) * 4;
        ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
        int udpLength = b.getShort(ihl + 4) & 0xffff;
        if (ihl + udpLength > length) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Ipv4Udp(
                    Inet4Address.getByAddress(Arrays.copyOfRange(packet, 12, 16)),
                    Inet4Address.getByAddress(Arrays.copyOfRange(packet, 16, 20)),
                    b.getShort(ihl) & 0xffff, b.getShort(ihl + 2) & 0xffff,
                    Arrays.copyOfRange(packet, ihl + UDP_HEADER, ihl + udpLength)));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static long sum(byte[] bytes) {
        long s = 0;
        for (int i = 0; i + 1 < bytes.length; i += 2) {
            s += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
        }
        return s;
    }

    /** RFC 1071 one's-complement sum over {@code data[off, off+len)} plus a pre-summed part. */
    private static int checksum(byte[] data, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = data[off + i] & 0xff;
            int lo = i + 1 < len ? data[off + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) (~s & 0xffff);
    }
}
