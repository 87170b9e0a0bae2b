package org.mptcp4j.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.wire.TcpOption.SackBlock;

/**
 * The receive side: a ring holding in-order bytes the application has not read yet, followed by
 * out-of-order bytes within the window, plus the list of out-of-order ranges (smoltcp's
 * {@code Assembler} with a bounded number of holes; Linux {@code out_of_order_queue}).
 *
 * <p>Invariants (sequence space): {@code readSeq <= rcvNxt}; every range satisfies
 * {@code rcvNxt < start < end <= readSeq + capacity}; ranges are sorted, disjoint and not adjacent.
 */
public final class ReceiveBuffer {
    /** Out-of-order ranges kept at most; a segment that would need more is dropped (TcpExtTCPOFODrop). */
    public static final int MAX_RANGES = 32;

    private static final int INITIAL_BYTES = 4096;
    /** The buffer limit; the ring grows to it by doubling as data arrives. */
    private final int capacity;
    private byte[] ring;
    private int head;
    /** Sequence number of the byte at {@code ring[head]}: the next byte the application reads. */
    private int readSeq;
    /** RCV.NXT: the end of the in-order data. */
    private int rcvNxt;
    private final int[] rangeStart = new int[MAX_RANGES];
    private final int[] rangeEnd = new int[MAX_RANGES];
    private int ranges;
    /** Sequence numbers of the most recently received out-of-order segments, newest first (RFC 2018 section 4). */
    private final int[] recent = new int[4];
    private int recentCount;

    public ReceiveBuffer(int capacityBytes) {
        this.capacity = capacityBytes;
        this.ring = new byte[Math.min(capacityBytes, INITIAL_BYTES)];
    }

    /** Starts the sequence space at the byte after the peer's SYN. */
    public void reset(int firstSeq) {
        readSeq = firstSeq;
        rcvNxt = firstSeq;
        head = 0;
        ranges = 0;
        recentCount = 0;
    }

    public int capacity() {
        return capacity;
    }

    public int rcvNxt() {
        return rcvNxt;
    }

    /** In-order bytes waiting for the application. */
    public int readable() {
        return Seq32.diff(rcvNxt, readSeq);
    }

    /** Space not taken by unread in-order data: the most the window may offer (RFC 9293 3.8.6.2.2). */
    public int freeSpace() {
        return capacity - readable();
    }

    /** The last sequence number (exclusive) the ring can store. */
    public int limitSeq() {
        return Seq32.add(readSeq, capacity);
    }

    public boolean hasOutOfOrder() {
        return ranges > 0;
    }

    public int outOfOrderRanges() {
        return ranges;
    }

    /** Bytes held beyond RCV.NXT. */
    public long outOfOrderBytes() {
        long sum = 0;
        for (int i = 0; i < ranges; i++) {
            sum += Seq32.diff(rangeEnd[i], rangeStart[i]);
        }
        return sum;
    }

    /**
     * Stores {@code data} (already trimmed by the caller to {@code [rcvNxt, limitSeq())}) at
     * {@code seq}. Returns the number of bytes RCV.NXT advanced, or {@link #REJECTED} when the
     * segment would open more than {@link #MAX_RANGES} holes.
     */
    public int accept(int seq, ByteBuffer data) {
        int len = data.remaining();
        int end = Seq32.add(seq, len);
        if (len == 0 || Seq32.lt(seq, rcvNxt) || Seq32.gt(end, limitSeq())) {
            throw new IllegalArgumentException("segment not trimmed to the window");
        }
        if (seq != rcvNxt && !insertRange(seq, end)) {
            return REJECTED;
        }
        write(Seq32.diff(seq, readSeq), data);
        if (seq != rcvNxt) {
            noteRecent(seq);
            return 0;
        }
        int before = rcvNxt;
        rcvNxt = end;
        while (ranges > 0 && Seq32.le(rangeStart[0], rcvNxt)) {
            rcvNxt = Seq32.max(rcvNxt, rangeEnd[0]);
            removeRange(0);
        }
        return Seq32.diff(rcvNxt, before);
    }

    /** {@link #accept} could not keep the segment. */
    public static final int REJECTED = -1;

    /** Copies in-order bytes into {@code dst}; returns the count. */
    public int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), readable());
        int first = Math.min(n, ring.length - head);
        dst.put(ring, head, first);
        if (n > first) {
            dst.put(ring, 0, n - first);
        }
        head = head + n >= ring.length ? head + n - ring.length : head + n;
        readSeq = Seq32.add(readSeq, n);
        return n;
    }

    /**
     * SACK blocks to report (RFC 2018 section 4): the block holding the most recently received
     * segment first, then other recent ones, then the rest in sequence order; at most {@code max}.
     */
    public List<SackBlock> sackBlocks(int max) {
        List<SackBlock> out = new ArrayList<>(Math.min(max, ranges));
        for (int r = 0; r < recentCount && out.size() < max; r++) {
            int i = rangeContaining(recent[r]);
            if (i >= 0) {
                addUnique(out, i);
            }
        }
        for (int i = 0; i < ranges && out.size() < max; i++) {
            addUnique(out, i);
        }
        return out;
    }

    private void addUnique(List<SackBlock> out, int i) {
        SackBlock b = new SackBlock(rangeStart[i], rangeEnd[i]);
        if (!out.contains(b)) {
            out.add(b);
        }
    }

    private int rangeContaining(int seq) {
        for (int i = 0; i < ranges; i++) {
            if (Seq32.ge(seq, rangeStart[i]) && Seq32.lt(seq, rangeEnd[i])) {
                return i;
            }
        }
        return -1;
    }

    private void noteRecent(int seq) {
        int n = Math.min(recentCount, recent.length - 1);
        System.arraycopy(recent, 0, recent, 1, n);
        recent[0] = seq;
        recentCount = n + 1;
    }

    /** Adds [start, end) to the ranges, merging overlapping and adjacent ones; false if full. */
    private boolean insertRange(int start, int end) {
        int first = 0;
        while (first < ranges && Seq32.lt(rangeEnd[first], start)) {
            first++;
        }
        int last = first;
        while (last < ranges && Seq32.le(rangeStart[last], end)) {
            last++;
        }
        // Ranges [first, last) touch the new one and merge with it.
        if (first == last) {
            if (ranges == MAX_RANGES) {
                return false;
            }
            System.arraycopy(rangeStart, first, rangeStart, first + 1, ranges - first);
            System.arraycopy(rangeEnd, first, rangeEnd, first + 1, ranges - first);
            rangeStart[first] = start;
            rangeEnd[first] = end;
            ranges++;
            return true;
        }
        int mergedStart = Seq32.min(start, rangeStart[first]);
        int mergedEnd = Seq32.max(end, rangeEnd[last - 1]);
        rangeStart[first] = mergedStart;
        rangeEnd[first] = mergedEnd;
        int removed = last - first - 1;
        if (removed > 0) {
            System.arraycopy(rangeStart, last, rangeStart, first + 1, ranges - last);
            System.arraycopy(rangeEnd, last, rangeEnd, first + 1, ranges - last);
            ranges -= removed;
        }
        return true;
    }

    private void removeRange(int i) {
        System.arraycopy(rangeStart, i + 1, rangeStart, i, ranges - i - 1);
        System.arraycopy(rangeEnd, i + 1, rangeEnd, i, ranges - i - 1);
        ranges--;
    }

    private void write(int offset, ByteBuffer data) {
        int len = data.remaining();
        if (offset + len > ring.length) {
            grow(offset + len);
        }
        int start = (head + offset) % ring.length;
        int first = Math.min(len, ring.length - start);
        data.get(data.position(), ring, start, first);
        if (len > first) {
            data.get(data.position() + first, ring, 0, len - first);
        }
    }

    /** Doubles the ring (up to the capacity), moving its logical content to the front. */
    private void grow(int needed) {
        int size = Math.min(capacity, Math.max(needed, ring.length * 2));
        byte[] bigger = new byte[size];
        System.arraycopy(ring, head, bigger, 0, ring.length - head);
        System.arraycopy(ring, 0, bigger, ring.length - head, head);
        ring = bigger;
        head = 0;
    }

    /** MERGE: replaced by the receive-side rewrite (D-SACK reporting). */
    public void noteDuplicate(int start, int end) {}

    public boolean hasPendingDsack() {
        return false;
    }

    /** Checks the documented invariants; for tests. */
    void checkInvariants() {
        if (Seq32.lt(rcvNxt, readSeq) || readable() > capacity || ring.length > capacity) {
            throw new AssertionError("readSeq " + readSeq + " rcvNxt " + rcvNxt);
        }
        int prevEnd = rcvNxt;
        for (int i = 0; i < ranges; i++) {
            if (!Seq32.gt(rangeStart[i], prevEnd) || !Seq32.lt(rangeStart[i], rangeEnd[i])
                    || Seq32.gt(rangeEnd[i], limitSeq())) {
                throw new AssertionError("range " + i + " [" + rangeStart[i] + "," + rangeEnd[i] + ") after " + prevEnd);
            }
            prevEnd = rangeEnd[i];
        }
    }
}
