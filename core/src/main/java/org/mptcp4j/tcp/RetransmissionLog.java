package org.mptcp4j.tcp;

/**
 * The retransmissions of a connection in the order they were sent: sequence number and send time
 * of each, a ring of primitives. RACK (RFC 8985 section 6.2 step 5) walks it from the oldest to
 * find retransmissions that were lost too; entries whose segment was acknowledged, SACKed or sent
 * again since are recognised by the {@link RetransmitQueue} and dropped as the walk meets them
 * (Linux keeps the same order in its time-sorted {@code tsorted_sent_queue}).
 */
final class RetransmissionLog {
    private int[] seqs = new int[16];
    private long[] sentNanos = new long[16];
    private int head;
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int oldestSeq() {
        return seqs[head];
    }

    long oldestNanos() {
        return sentNanos[head];
    }

    void push(int seq, long nanos) {
        if (size == seqs.length) {
            grow();
        }
        int k = (head + size) & (seqs.length - 1);
        seqs[k] = seq;
        sentNanos[k] = nanos;
        size++;
    }

    void pop() {
        head = (head + 1) & (seqs.length - 1);
        size--;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private void grow() {
        int n = seqs.length * 2;
        int[] ns = new int[n];
        long[] nt = new long[n];
        for (int i = 0; i < size; i++) {
            int k = (head + i) & (seqs.length - 1);
            ns[i] = seqs[k];
            nt[i] = sentNanos[k];
        }
        seqs = ns;
        sentNanos = nt;
        head = 0;
    }
}
