package org.mptcp4j.sim;

/**
 * An implicit 4-ary min-heap on parallel primitive arrays, keyed by {@code (time, seq)}: half the
 * depth of a binary heap, so fewer levels on sift-down at the price of three comparisons per level.
 * The default queue of {@link Simulation}: in the engine benchmark it ran as fast as or faster
 * than {@link BinaryHeapQueue}, and it keeps its speed better as the heap grows
 * ({@code docs/benchmarks/sim.md}).
 */
public final class QuaternaryHeapQueue extends ArrayHeapQueue {
    public QuaternaryHeapQueue() {
        this(256);
    }

    public QuaternaryHeapQueue(int initialCapacity) {
        super(initialCapacity);
    }

    @Override
    int parent(int hole) {
        return (hole - 1) >>> 2;
    }

    @Override
    void siftDownLast(int last) {
        long t = times[last];
        long s = seqs[last];
        int hole = 0;
        while (true) {
            int first = 4 * hole + 1;
            if (first >= last) {
                break;
            }
            int best = first;
            long bt = times[first];
            long bs = seqs[first];
            int end = Math.min(first + 4, last);
            for (int c = first + 1; c < end; c++) {
                long ct = times[c];
                if (ct < bt || (ct == bt && seqs[c] < bs)) {
                    best = c;
                    bt = ct;
                    bs = seqs[c];
                }
            }
            if (t < bt || (t == bt && s < bs)) {
                break;
            }
            move(best, hole);
            hole = best;
        }
        settle(hole, last, t, s);
    }
}
