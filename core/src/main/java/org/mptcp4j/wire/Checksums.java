package org.mptcp4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum. Sums
 * are carried as non-negative {@code int}s of unfolded 16-bit words and folded at the end, so partial
 * sums (pseudo-header, header, payload) add up with plain {@code +}. All reads are absolute: no
 * buffer position moves.
 */
public final class Checksums {
    private Checksums() {}

    private static final VarHandle LITTLE_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LITTLE_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Adds the bytes {@code [from, from + length)} of {@code b} as big-endian 16-bit words (an odd last
     * byte is padded with zero, RFC 1071 section 4.1) to {@code sum}. The caller checks the bounds.
     * The result stays non-negative for any length a 64 KiB packet can have.
     */
    public static int sum(ByteBuffer b, int from, int length, int sum) {
        if (b.hasArray()) {
            return sum(b.array(), b.arrayOffset() + from, length, sum);
        }
        long acc = sum & 0xFFFF_FFFFL;
        int end = from + length;
        // 8 bytes at a time, as two 32-bit words: since 2^16 = 1 modulo 0xffff, adding 32-bit words
        // and folding gives the same one's complement sum as adding their 16-bit halves (RFC 1071
        // section 2(B)). A long cannot overflow for any input below 2^31 bytes. A counted loop, as
        // in the array path below.
        int blocksEnd = from + (length & ~7);
        for (int k = from; k < blocksEnd; k += 8) {
            long w = b.getLong(k);
            acc += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        int i = blocksEnd;
        while (end - i >= 2) {
            acc += b.getShort(i) & 0xFFFF;
            i += 2;
        }
        if (i < end) {
            acc += (b.get(i) & 0xFF) << 8;
        }
        return foldToInt(acc);
    }

    /**
     * As {@link #sum(ByteBuffer, int, int, int)} over {@code a[from, from + length)}: the same result
     * bit for bit. It reads 4 and 8 bytes at a time in little-endian order, the machine's own on
     * x86 and ARM (no byte swap per word, and a byte array read without a buffer's checks), and
     * swaps the folded sum once: the
     * one's complement sum is independent of byte order, the sum of byte-swapped words being the
     * byte-swapped sum (RFC 1071 section 2(B)). Both sums are 0 only for all-zero data and a zero
     * starting sum, and are otherwise the one value in [1, 0xffff] of their class modulo 0xffff,
     * so folding them gives the same number.
     */
    public static int sum(byte[] a, int from, int length, int sum) {
        long w0 = 0;
        long w1 = 0;
        long w2 = 0;
        long w3 = 0;
        int end = from + length;
        // A counted loop, which the JIT unrolls and whose reads it checks against the array's bounds
        // once rather than at every read: the same loop as a while over the remaining length took
        // 2.3 times as long for a full-sized segment. Four accumulators, one per 32-bit word of each
        // 16 bytes, so that consecutive adds do not wait on each other.
        int blocksEnd = from + (length & ~15);
        for (int k = from; k < blocksEnd; k += 16) {
            w0 += Integer.toUnsignedLong((int) LITTLE_ENDIAN_INT.get(a, k));
            w1 += Integer.toUnsignedLong((int) LITTLE_ENDIAN_INT.get(a, k + 4));
            w2 += Integer.toUnsignedLong((int) LITTLE_ENDIAN_INT.get(a, k + 8));
            w3 += Integer.toUnsignedLong((int) LITTLE_ENDIAN_INT.get(a, k + 12));
        }
        int i = blocksEnd;
        long swapped = w0 + w1 + w2 + w3;
        if (end - i >= 8) {
            long w = (long) LITTLE_ENDIAN_LONG.get(a, i);
            swapped += (w >>> 32) + (w & 0xFFFF_FFFFL);
            i += 8;
        }
        int folded = foldToInt(swapped);
        long acc = (sum & 0xFFFF_FFFFL) + (((folded & 0xFF) << 8) | (folded >>> 8));
        while (end - i >= 2) {
            acc += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
            i += 2;
        }
        if (i < end) {
            acc += (a[i] & 0xFF) << 8;
        }
        return foldToInt(acc);
    }

    /** Adds the bytes of {@code a} (even offsets from its start) to {@code sum}. */
    public static int sum(byte[] a, int sum) {
        return sum(a, 0, a.length, sum);
    }

    /** Adds a 32-bit value as two 16-bit words. */
    public static int add32(int sum, int value) {
        return foldToInt((sum & 0xFFFF_FFFFL) + (value >>> 16) + (value & 0xFFFF));
    }

    /** Adds a 16-bit value. */
    public static int add16(int sum, int value) {
        return foldToInt((sum & 0xFFFF_FFFFL) + (value & 0xFFFF));
    }

    /** Folds the carries into 16 bits (the one's complement sum, not yet complemented). */
    public static int fold(int sum) {
        return foldToInt(sum & 0xFFFF_FFFFL);
    }

    /** The checksum field value for a sum: the 16-bit one's complement of the folded sum. */
    public static int finish(int sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /** True when a sum taken over data that includes its own checksum field verifies (folds to 0xFFFF). */
    public static boolean verifies(int sum) {
        return fold(sum) == 0xFFFF;
    }

    /**
     * The TCP/UDP pseudo-header sum: RFC 9293 section 3.1 for IPv4 (source, destination, zero,
     * protocol, TCP length), RFC 8200 section 8.1 for IPv6 (source, destination, 32-bit
     * upper-layer length, 24 zero bits, next header). Both reduce to the same word sum.
     * IPv4 addresses are read through {@link #v4Int}, so this allocates nothing for IPv4.
     */
    public static int pseudoHeaderSum(InetAddress src, InetAddress dst, int protocol, int upperLayerLength) {
        if (src instanceof Inet4Address s4 && dst instanceof Inet4Address d4) {
            return pseudoHeaderSumV4(v4Int(s4), v4Int(d4), protocol, upperLayerLength);
        }
        int s = addressSum(src, 0);
        s = addressSum(dst, s);
        s = add32(s, upperLayerLength);
        return add16(s, protocol);
    }

    /** The pseudo-header sum from IPv4 addresses given as ints. */
    public static int pseudoHeaderSumV4(int src, int dst, int protocol, int upperLayerLength) {
        // Seven words of at most 16 bits each: no carry to fold before the end.
        long s = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF)
                + (upperLayerLength >>> 16) + (upperLayerLength & 0xFFFF) + (protocol & 0xFFFF);
        return foldToInt(s);
    }

    /** Adds an address's bytes to a sum. */
    public static int addressSum(InetAddress a, int sum) {
        if (a instanceof Inet4Address v4) {
            return add32(sum, v4Int(v4));
        }
        if (a instanceof Inet6Address) {
            return sum(a.getAddress(), sum);
        }
        throw new IllegalArgumentException("not an IP address: " + a);
    }

    /** The IPv4 header checksum field value for {@code [from, from + headerLength)}, the field itself read as zero. */
    public static int ipv4HeaderChecksum(ByteBuffer b, int from, int headerLength) {
        int s = sum(b, from, headerLength, 0);
        // Take out whatever the checksum field (offset 10) holds, so callers need not zero it first.
        int field = b.getShort(from + 10) & 0xFFFF;
        return finish(s + (~field & 0xFFFF));
    }

    /**
     * The IPv4 address as a big-endian int, without allocating: OpenJDK's {@code Inet4Address.hashCode()}
     * is the address itself. Checked once at start-up; should a JDK ever differ, the copying
     * {@code getAddress()} is used instead.
     */
    public static int v4Int(Inet4Address a) {
        return HASH_IS_ADDRESS ? a.hashCode() : ByteBuffer.wrap(a.getAddress()).getInt();
    }

    private static final boolean HASH_IS_ADDRESS = hashIsAddress();

    private static boolean hashIsAddress() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 198, 18, 1, (byte) 254}).hashCode() == 0xC61201FE
                    && InetAddress.getByAddress(new byte[] {1, 2, 3, 4}).hashCode() == 0x01020304;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * The end-around carry of RFC 1071 for any sum read as 64 bits unsigned, in four steps rather
     * than a loop whose trip count the branch predictor must guess: 2^32 and 2^16 are both 1
     * modulo 0xffff, so each step keeps the sum's class; the first leaves at most 33 bits, the
     * second at most 0x2fffe, the third at most 0x10001 and the fourth at most 0xffff. A nonzero
     * sum stays nonzero, so the result is the one value in [1, 0xffff] of its class (0 for 0),
     * which is what folding until no carry is left gives.
     */
    private static int foldToInt(long acc) {
        acc = (acc & 0xFFFF_FFFFL) + (acc >>> 32);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        return (int) acc;
    }
}
