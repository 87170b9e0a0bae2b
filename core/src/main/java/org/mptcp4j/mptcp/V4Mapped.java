package org.mptcp4j.mptcp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}, RFC 4291 section 2.5.5.2): how an AF_INET6
 * socket on Linux names an IPv4 peer or endpoint. Java parses that literal to the IPv4 address
 * ({@code InetAddress.getByName("::ffff:10.0.0.1")} is an {@link Inet4Address}), so {@link #of}
 * makes the mapped form explicitly, as an {@link Inet6Address}.
 *
 * <p>mptcp4j takes them as Linux does: a mapped address is IPv4 on the wire. A connection opened
 * or accepted on one, or a listener bound to one, is an IPv4 connection (its subflows IPv4 only,
 * Linux {@code mptcp_pm_addr_families_match}); an endpoint given as one joins from, and is
 * owned as, its IPv4 address, and is announced in its mapped 16-byte form (ADD_ADDR of an IPv6
 * address), as Linux announces an endpoint added as {@code ::ffff:a.b.c.d}.
 */
public final class V4Mapped {
    private V4Mapped() {
    }

    /** {@code ::ffff:a.b.c.d} for {@code v4}, as an {@link Inet6Address}. */
    public static Inet6Address of(Inet4Address v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4.getAddress(), 0, b, 12, 4);
        try {
            // Inet6Address.getByAddress keeps the mapped form (InetAddress.getByAddress would not).
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // sixteen bytes are always an IPv6 address
        }
    }

    /** Whether {@code a} is an IPv4-mapped IPv6 address. */
    public static boolean isMapped(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return false;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** The IPv4 address {@code a} maps, or {@code a} itself when it is not mapped (null stays null). */
    public static InetAddress unmapped(InetAddress a) {
        if (a == null || !isMapped(a)) {
            return a;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(a.getAddress(), 12, 16));
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an IPv4 address
        }
    }

    /** {@code s} with its address {@link #unmapped}; null stays null. */
    public static InetSocketAddress unmapped(InetSocketAddress s) {
        if (s == null || s.getAddress() == null || !isMapped(s.getAddress())) {
            return s;
        }
        return new InetSocketAddress(unmapped(s.getAddress()), s.getPort());
    }
}
