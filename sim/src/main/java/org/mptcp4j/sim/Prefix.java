package org.mptcp4j.sim;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 address prefix such as {@code 10.1.0.0/16} or {@code fd00::/64}. */
public record Prefix(byte[] address, int length) {
    public Prefix {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes");
        }
        if (length < 0 || length > address.length * 8) {
            throw new IllegalArgumentException("prefix length out of range: " + length);
        }
        address = address.clone();
    }

    /** Parses {@code "10.1.0.0/16"}, {@code "fd00::/8"}, or a bare address (a host prefix). */
    public static Prefix parse(String text) {
        int slash = text.indexOf('/');
        byte[] addr = addressBytes(slash < 0 ? text : text.substring(0, slash));
        int len = slash < 0 ? addr.length * 8 : Integer.parseInt(text.substring(slash + 1));
        return new Prefix(addr, len);
    }

    public static Prefix of(InetAddress address) {
        byte[] a = address.getAddress();
        return new Prefix(a, a.length * 8);
    }

    /** Parses an IP literal only (never a DNS lookup). */
    public static byte[] addressBytes(String literal) {
        if (literal.isEmpty() || !(Character.digit(literal.charAt(0), 16) >= 0 || literal.charAt(0) == ':')) {
            throw new IllegalArgumentException("not an IP address literal: " + literal);
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + literal, e);
        }
    }

    /** Whether the address at {@code p[offset, offset + addrLen)} falls in this prefix. */
    public boolean matches(byte[] p, int offset, int addrLen) {
        if (addrLen != address.length) {
            return false;
        }
        int full = length >>> 3;
        for (int i = 0; i < full; i++) {
            if (p[offset + i] != address[i]) {
                return false;
            }
        }
        int rest = length & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return ((p[offset + full] ^ address[full]) & mask) == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prefix other && length == other.length && Arrays.equals(address, other.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + length;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + length;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
