package org.mptcp4j.sim;

/**
 * An implicit binary min-heap keyed by {@code (time, seq)} (storage in {@link ArrayHeapQueue}). The
 * reference the default {@link QuaternaryHeapQueue} was measured against.
 */
public final class BinaryHeapQueue extends ArrayHeapQueue {
    public BinaryHeapQueue() {
        this(256);
    }

    public BinaryHeapQueue(int initialCapacity) {
        super(initialCapacity);
    }

    @Override
    int parent(int hole) {
        return (hole - 1) >>> 1;
    }

    @Override
    void siftDownLast(int last) {
        long t = times[last];
        long s = seqs[last];
        int hole = 0;
        int half = last >>> 1;
        while (hole < half) {
            int child = 2 * hole + 1;
            int right = child + 1;
            long ct = times[child];
            if (right < last) {
                long rt = times[right];
                if (rt < ct || (rt == ct && seqs[right] < seqs[child])) {
                    child = right;
                    ct = rt;
                }
            }
            if (t < ct || (t == ct && s < seqs[child])) {
                break;
            }
            move(child, hole);
            hole = child;
        }
        settle(hole, last, t, s);
    }
}
