package org.mptcp4j.mptcp;

import org.mptcp4j.base.Dsn;

/**
 * What the data-level segments shorter than a full one cost the peer's receive window beyond their
 * bytes, until a DATA_ACK covers them.
 *
 * <p>A Linux receiver sizes the window it advertises from its free receive memory, counted in
 * buffer {@code truesize}, times a ratio of payload to {@code truesize} it learns from full-sized
 * segments ({@code scaling_ratio}, {@code mptcp_space}). A shorter segment takes about as much
 * memory as a full one. So a sender that fills the window with some short segments in it makes the
 * receiver's memory exceed its buffer, and Linux then leaves what arrives next on the subflow
 * ({@code __mptcp_move_skbs_from_subflow}; the out-of-order queue is never pruned). If that is the
 * data at the connection's left edge, it never leaves, and the transfer stops for good.
 *
 * <p>The connection therefore charges each mapping that ends in a short segment the rest of a
 * full segment ({@link #add}) and leaves that much of the window unused until the DATA_ACK passes
 * the mapping ({@link #acknowledge}). Entries come in DSN order (new data only), so a FIFO of
 * primitive pairs serves.
 */
final class PartialSegments {
    private long[] ends = new long[8];
    private int[] shortfalls = new int[8];
    private int head;
    private int size;
    private long bytes;

    /** A mapping ending (exclusive) at DSN {@code end} whose last segment is {@code shortfall} bytes short of full. */
    void add(long end, int shortfall) {
        if (shortfall <= 0) {
            return;
        }
        if (size == ends.length) {
            grow();
        }
        int at = (head + size) & (ends.length - 1);
        ends[at] = end;
        shortfalls[at] = shortfall;
        size++;
        bytes += shortfall;
    }

    /** The DATA_ACK reached {@code una}: the mappings it covers no longer cost the window anything. */
    void acknowledge(long una) {
        while (size > 0 && Dsn.le(ends[head], una)) {
            bytes -= shortfalls[head];
            head = (head + 1) & (ends.length - 1);
            size--;
        }
    }

    /** Window bytes charged now: the sum of the shortfalls not yet DATA_ACKed. */
    long bytes() {
        return bytes;
    }

    private void grow() {
        long[] e = new long[ends.length * 2];
        int[] f = new int[e.length];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (ends.length - 1);
            e[i] = ends[from];
            f[i] = shortfalls[from];
        }
        ends = e;
        shortfalls = f;
        head = 0;
    }
}
