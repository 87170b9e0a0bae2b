package org.mptcp4j.base;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a fast 64-bit generator with a one-word state, used for
 * deterministic runs. Not cryptographically secure; real drivers pass a {@link SecureRng}.
 */
public final class SplitMix64 implements Rng {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    @Override
    public long nextLong() {
        long z = (state += 0x9E37_79B9_7F4A_7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
