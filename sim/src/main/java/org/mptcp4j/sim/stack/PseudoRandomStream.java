package org.mptcp4j.sim.stack;

import java.nio.ByteBuffer;
import org.mptcp4j.base.Rng;

/** A seeded pseudo-random byte stream, produced in chunks (the payload of bulk transfers). */
final class PseudoRandomStream {
    private final Rng rng;

    PseudoRandomStream(long seed) {
        this.rng = Rng.seeded(seed);
    }

    /** Fills {@code dst} from position to limit with the next bytes of the stream. */
    void fill(ByteBuffer dst) {
        while (dst.remaining() >= 8) {
            dst.putLong(rng.nextLong());
        }
        long v = rng.nextLong();
        while (dst.hasRemaining()) {
            dst.put((byte) v);
            v >>>= 8;
        }
    }
}
