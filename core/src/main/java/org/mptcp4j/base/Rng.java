package org.mptcp4j.base;

/**
 * The only source of randomness in the engine and the simulator. Core never calls
 * {@code java.util.Random} or {@code SecureRandom} itself: a driver passes an {@code Rng} in, so the
 * simulator can replay a run bit for bit from one seed, and a real driver can pass a secure one.
 */
public interface Rng {
    /** 64 uniformly distributed bits. */
    long nextLong();

    /** 32 uniformly distributed bits. */
    default int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    /** Uniform in {@code [0, bound)}; {@code bound > 0}. Lemire's multiply-shift, unbiased. */
    default int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFF_FFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFF_FFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Uniform in {@code [0, 1)} with 53 bits of precision. */
    default double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** True with probability {@code p}. */
    default boolean chance(double p) {
        return p > 0 && nextDouble() < p;
    }

    /** An independent generator derived from this one, for a component of its own. */
    default Rng split() {
        return new SplitMix64(nextLong());
    }

    /** The deterministic generator every run seed starts from. */
    static Rng seeded(long seed) {
        return new SplitMix64(seed);
    }
}
