package org.mptcp4j.base;

/**
 * 64-bit data sequence numbers (RFC 8684 section 3.3): comparison modulo 2^64 and the expansion
 * of a 32-bit DSN or DATA_ACK to 64 bits relative to a known reference (Linux: {@code expand_seq},
 * {@code before64}/{@code after64}).
 */
public final class Dsn {
    private Dsn() {}

    public static boolean lt(long a, long b) {
        return a - b < 0;
    }

    public static boolean le(long a, long b) {
        return a - b <= 0;
    }

    public static boolean gt(long a, long b) {
        return a - b > 0;
    }

    public static boolean ge(long a, long b) {
        return a - b >= 0;
    }

    public static long max(long a, long b) {
        return gt(a, b) ? a : b;
    }

    /**
     * Expands the 32 low bits {@code low32} to the 64-bit number closest to {@code reference}.
     * RFC 8684 section 3.3.1: "an implementation MUST be able to ... infer the upper 32 bits";
     * the closest value is the one within 2^31 of the reference.
     */
    public static long expand32To64(int low32, long reference) {
        long candidate = (reference & 0xFFFF_FFFF_0000_0000L) | Integer.toUnsignedLong(low32);
        long delta = candidate - reference;
        if (delta > 0x8000_0000L) {
            candidate -= 0x1_0000_0000L;
        } else if (delta < -0x8000_0000L) {
            candidate += 0x1_0000_0000L;
        }
        return candidate;
    }

    /** The low 32 bits of a 64-bit DSN, as carried in a 4-byte DSS field. */
    public static int low32(long dsn) {
        return (int) dsn;
    }
}
