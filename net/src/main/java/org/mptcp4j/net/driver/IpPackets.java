package org.mptcp4j.net.driver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The little the drivers read from a raw IP packet: version and addresses (RFC 791 and RFC 8200
 * fixed headers). Everything else is the stack's business. Absolute reads; positions stay put.
 */
public final class IpPackets {
    private IpPackets() {}

    public static final int IPV4_MIN_HEADER = 20;
    public static final int IPV6_HEADER = 40;

    /** 4, 6, or 0 when the packet is too short for its version's fixed header. */
    public static int version(ByteBuffer p) {
        int start = p.position();
        if (p.remaining() < 1) {
            return 0;
        }
        int v = (p.get(start) & 0xff) >>> 4;
        if (v == 4 && p.remaining() >= IPV4_MIN_HEADER) {
            return 4;
        }
        if (v == 6 && p.remaining() >= IPV6_HEADER) {
            return 6;
        }
        return 0;
    }

    /** The IPv4 destination as an int (network order); the packet must be IPv4. */
    public static int ipv4Destination(ByteBuffer p) {
        return p.getInt(p.position() + 16);
    }

    public static int ipv4Source(ByteBuffer p) {
        return p.getInt(p.position() + 12);
    }

    /** Source address; null when {@link #version} is 0. */
    public static InetAddress source(ByteBuffer p) {
        return address(p, version(p) == 4 ? 12 : 8);
    }

    /** Destination address; null when {@link #version} is 0. */
    public static InetAddress destination(ByteBuffer p) {
        return address(p, version(p) == 4 ? 16 : 24);
    }

    private static InetAddress address(ByteBuffer p, int offset) {
        int v = version(p);
        if (v == 0) {
            return null;
        }
        byte[] a = new byte[v == 4 ? 4 : 16];
        p.get(p.position() + offset, a);
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    /** An IPv4 address as an int in network order, the key the UDP driver maps by. */
    public static int ipv4Key(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("not IPv4: " + a);
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }
}
