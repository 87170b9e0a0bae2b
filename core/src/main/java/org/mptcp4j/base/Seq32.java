package org.mptcp4j.base;

/**
 * 32-bit TCP sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4, RFC 1982).
 *
 * <p>This is the one place that compares or subtracts subflow sequence numbers; everywhere else
 * a sequence number is an opaque {@code int}. Two numbers compare by the sign of their 32-bit
 * difference, which is correct as long as they are less than 2^31 apart, as every window is.
 */
public final class Seq32 {
    private Seq32() {}

    /** {@code a - b} as a signed distance. */
    public static int diff(int a, int b) {
        return a - b;
    }

    /** {@code a + n} modulo 2^32. */
    public static int add(int a, int n) {
        return a + n;
    }

    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** {@code lo <= x < hi} in sequence space. */
    public static boolean inRange(int x, int lo, int hi) {
        return ge(x, lo) && lt(x, hi);
    }

    /** The number as the unsigned value Wireshark and RFCs print. */
    public static long unsigned(int seq) {
        return Integer.toUnsignedLong(seq);
    }
}
