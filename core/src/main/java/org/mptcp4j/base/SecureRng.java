package org.mptcp4j.base;

import java.security.SecureRandom;

/**
 * Randomness for keys, ISNs and join nonces on a real network (RFC 8684 section 3.1 asks for keys
 * that are "hard to guess"; RFC 6528 for ISNs). Drivers create it; core only sees {@link Rng}.
 */
public final class SecureRng implements Rng {
    private final SecureRandom random;

    public SecureRng() {
        this(new SecureRandom());
    }

    public SecureRng(SecureRandom random) {
        this.random = random;
    }

    @Override
    public long nextLong() {
        return random.nextLong();
    }
}
