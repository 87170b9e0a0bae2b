package org.mptcp4j.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.wire.TcpOption.SackBlock;

/**
 * The receive side of one subflow: a ring holding the in-order bytes the application has not read
 * yet, followed by out-of-order bytes within the window, the out-of-order ranges, and what the
 * next ACK reports in its SACK option (RFC 2018 section 4, RFC 2883 section 4). Linux: the receive
 * queue, {@code out_of_order_queue} (an rb-tree bounded only by the receive buffer) and
 * {@code tcp_sack_new_ofo_skb} / {@code tcp_dsack_set}.
 *
 * <p>Positions are kept as 64-bit offsets counted from the sequence number given to
 * {@link #reset}, so the range tree never meets the 2^32 wrap; sequence numbers appear only at the
 * API, converted relative to RCV.NXT (every held byte is within 2^31 of it).
 *
 * <p>Invariants (offsets): {@code readOff <= rcvNxtOff}; {@code rcvNxtOff - readOff <= capacity};
 * every range {@code [start, end)} satisfies {@code rcvNxtOff < start < end <= readOff + capacity};
 * ranges are disjoint and never adjacent (adjacent ones merge); {@code ofoBytes} is the sum of
 * their lengths; {@code ring.length <= capacity}.
 */
public final class ReceiveBuffer {
    private static final int INITIAL_RING_BYTES = 4096;
    /** Earlier first blocks remembered for repetition (RFC 2018 section 4); an option has at most 4 blocks. */
    private static final int RECENT_FIRST = 4;
    private static final long NONE = -1;

    /** The buffer limit; the ring grows to it by doubling as data arrives. */
    private int capacity;
    private byte[] ring;
    /** Ring index of the byte at {@code readOff}. */
    private int head;
    /** The sequence number at offset 0. */
    private int baseSeq;
    /** Offset of the next byte the application reads. */
    private long readOff;
    /** Offset of RCV.NXT: the end of the in-order data. */
    private long rcvNxtOff;
    /**
     * Out-of-order ranges held above RCV.NXT: start offset to its {@link End} (exclusive). The end
     * is mutable so that a range grows in place, without a tree operation (and a boxed value) per
     * segment: at the MPTCP data level, where the subflows' runs interleave, most segments do that.
     */
    private final TreeMap<Long, End> ofo = new TreeMap<>();

    /** The end offset of a held range. */
    private static final class End {
        long offset;

        End(long offset) {
            this.offset = offset;
        }

        @Override
        public String toString() {
            return Long.toString(offset);
        }
    }

    private long ofoBytes;
    /**
     * The first range's start and the last range's bounds ({@link Long#MAX_VALUE} and {@link #NONE}
     * with no range), kept beside the tree so the two common arrivals take no lookup: in order
     * ahead of every range, and (at the data level, where one subflow runs ahead) right at the end
     * of the last range.
     */
    private long firstStart = Long.MAX_VALUE;
    private long lastStart = NONE;
    private long lastEnd = NONE;
    /** The last range's end in the tree (null with no range): {@link #lastEnd} is its copy. */
    private End lastRange;

    /**
     * Ranges a segment is likely to extend at their end, each with the start of the range after
     * it ({@link Long#MAX_VALUE}: none): at the MPTCP data level every subflow delivers its own run
     * of data sequence numbers in order, so with n subflows up to n ranges grow side by side, one
     * segment at a time, and only one of them can be the last. A segment that starts at a hinted
     * end and stops short of the next range grows it with one tree operation and without looking
     * for overlaps. A slot whose start is {@link #NONE} is empty. Every change to the ranges keeps
     * the hints true ({@link #hintsAfterMerge}).
     */
    private static final int HINTS = 16;
    private final long[] hintStart = new long[HINTS];
    private final long[] hintEnd = new long[HINTS];
    private final long[] hintNext = new long[HINTS];
    /** The tree's end of each hinted range, grown with {@link #hintEnd}. */
    private final End[] hintRange = new End[HINTS];
    private int hintVictim;

    /** A D-SACK not yet reported (RFC 2883): the duplicate bytes of the most recent duplicate segment. */
    private boolean dsackPending;
    private int dsackStart;
    private int dsackEnd;
    /** Set while one {@link #accept} call reports its first duplicate part; later parts may only extend it. */
    private boolean dsackFromThisSegment;

    /** Offset of the out-of-order segment that arrived last and has not been reported yet, or {@link #NONE}. */
    private long triggerOff = NONE;
    /** An offset inside each of the most recent first blocks of earlier SACK options, newest first. */
    private final long[] recentFirst = new long[RECENT_FIRST];
    private int recentCount;
    /** Where the rotation through the held ranges resumes: the next range starting at or after it. */
    private long rotateOff;

    public ReceiveBuffer(int capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("capacity " + capacityBytes);
        }
        this.capacity = capacityBytes;
        this.ring = new byte[Math.min(capacityBytes, INITIAL_RING_BYTES)];
        clearHints();
    }

    /** Starts the sequence space at the byte after the peer's SYN. */
    public void reset(int firstSeq) {
        baseSeq = firstSeq;
        readOff = 0;
        rcvNxtOff = 0;
        head = 0;
        ofo.clear();
        ofoBytes = 0;
        rangesChanged();
        clearHints();
        dsackPending = false;
        triggerOff = NONE;
        recentCount = 0;
        rotateOff = 0;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Sets the buffer limit (receive-buffer autotuning raises it; see {@link ReceiveAutotuner}). It
     * never goes below what is held, in order or not. Lowering it below the right edge already
     * advertised would shrink the window (RFC 9293 3.8.6.2.2 discourages that): the caller's concern.
     */
    public void setCapacity(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("capacity " + bytes);
        }
        long heldEnd = ofo.isEmpty() ? rcvNxtOff : lastEnd;
        capacity = (int) Math.max(bytes, heldEnd - readOff);
        if (ring.length > capacity) {
            resize(capacity);
        }
    }

    public int rcvNxt() {
        return seqOf(rcvNxtOff);
    }

    /** In-order bytes waiting for the application. */
    public int readable() {
        return (int) (rcvNxtOff - readOff);
    }

    /** Space not taken by unread in-order data: the most the window may offer (RFC 9293 3.8.6.2.2). */
    public int freeSpace() {
        return capacity - readable();
    }

    /** The last sequence number (exclusive) the ring can store. */
    public int limitSeq() {
        return seqOf(readOff + capacity);
    }

    public boolean hasOutOfOrder() {
        return !ofo.isEmpty();
    }

    public int outOfOrderRanges() {
        return ofo.size();
    }

    /** The sequence number just past the highest byte held out of order (only with {@link #hasOutOfOrder}). */
    public int outOfOrderEnd() {
        return seqOf(lastEnd);
    }

    /** Bytes held beyond RCV.NXT. */
    public long outOfOrderBytes() {
        return ofoBytes;
    }

    /** A D-SACK waits for the next ACK (then a SACK option is due even without out-of-order data). */
    public boolean hasPendingDsack() {
        return dsackPending;
    }

    /**
     * Stores {@code data} (already trimmed by the caller to {@code [rcvNxt, limitSeq())}) at
     * {@code seq}; returns the number of bytes RCV.NXT advanced (0 when it lies beyond a hole).
     * Bytes already held out of order become a D-SACK (RFC 2883 section 4): the first duplicated
     * part of this segment.
     */
    public int accept(int seq, ByteBuffer data) {
        int len = data.remaining();
        if (len == 0 || Seq32.lt(seq, rcvNxt()) || Seq32.gt(Seq32.add(seq, len), limitSeq())) {
            throw new IllegalArgumentException("segment not trimmed to the window");
        }
        long start = offsetOf(seq);
        long end = start + len;
        write((int) (start - readOff), data);
        dsackFromThisSegment = false;
        if (start == rcvNxtOff && end < firstStart) {
            // In order and touching nothing held: the common case takes no map entry.
            rcvNxtOff = end;
            triggerOff = NONE;
            return len;
        }
        if (start == lastEnd) {
            // Right after the last range, overlapping nothing: it grows in place.
            lastRange.offset = end;
            ofoBytes += len;
            lastEnd = end;
            hintGrown(lastStart, end);
            triggerOff = start; // RFC 2018 section 4, as below
            return 0;
        }
        int h = hintGrowing(start, end);
        if (h >= 0) {
            // Right after a hinted range and short of the next one: it grows in place too.
            hintRange[h].offset = end;
            ofoBytes += len;
            hintEnd[h] = end;
            triggerOff = start;
            return 0;
        }
        insert(start, end);
        rangesChanged();
        if (start != rcvNxtOff) {
            // RFC 2018 section 4: this segment's block goes first in the next SACK option.
            triggerOff = start;
            return 0;
        }
        // The segment (merged with whatever it touched) now starts at RCV.NXT: it is in order.
        long newNxt = ofo.remove(rcvNxtOff).offset;
        ofoBytes -= newNxt - rcvNxtOff;
        hintRemoved(rcvNxtOff);
        rangesChanged();
        int advanced = (int) (newNxt - rcvNxtOff);
        rcvNxtOff = newNxt;
        triggerOff = NONE; // RFC 2018 section 4: no first-block rule when the ACK number advanced
        return advanced;
    }

    /**
     * RCV.NXT advances over {@code len} in-order bytes the caller hands on itself without storing
     * them: allowed only when nothing is held (no unread data, no out-of-order range). Returns
     * {@code len}, as {@link #accept} would.
     */
    public int skipInOrder(int len) {
        if (len <= 0 || readable() != 0 || !ofo.isEmpty() || len > capacity) {
            throw new IllegalStateException("skipInOrder(" + len + ") with " + readable() + " unread, "
                    + ofo.size() + " out-of-order ranges");
        }
        rcvNxtOff += len;
        readOff = rcvNxtOff;
        head = 0; // the ring is empty: any index is the read position
        dsackFromThisSegment = false;
        triggerOff = NONE;
        return len;
    }

    /**
     * The caller received {@code [start, end)} again, wholly at or below RCV.NXT: the next ACK
     * reports it as a D-SACK, the first block of its SACK option (RFC 2883 section 4, rules 1 and 3).
     */
    public void noteDuplicate(int start, int end) {
        if (!Seq32.lt(start, end) || Seq32.gt(end, rcvNxt())) {
            throw new IllegalArgumentException("not a duplicate below RCV.NXT: [" + start + "," + end + ")");
        }
        setDsack(start, end);
    }

    /** Copies in-order bytes into {@code dst}; returns the count. */
    public int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), readable());
        int first = Math.min(n, ring.length - head);
        dst.put(ring, head, first);
        if (n > first) {
            dst.put(ring, 0, n - first);
        }
        consume(n);
        return n;
    }

    /** Lets up to {@code max} in-order bytes go unread (Linux {@code recv} with {@code MSG_TRUNC}); returns the count. */
    public int discard(int max) {
        int n = Math.min(max, readable());
        consume(n);
        return n;
    }

    private void consume(int n) {
        head = head + n >= ring.length ? head + n - ring.length : head + n;
        readOff += n;
    }

    /**
     * The SACK blocks of the next ACK, at most {@code max} (RFC 2018 section 3: 3 beside timestamps,
     * 4 without); empty when there is nothing to report. In order:
     * <ol>
     * <li>a pending D-SACK, reported once (RFC 2883 section 4, rule 1), followed by the held range
     *     that contains it, if any (rule 4: "the second SACK block ... should specify that (possibly
     *     larger) block of data");</li>
     * <li>the range holding the segment that triggered this ACK, or if that segment advanced RCV.NXT
     *     (or none arrived) the first block of the previous option (RFC 2018 section 4: "the first
     *     SACK block ... MUST specify the contiguous block of data containing the segment which
     *     triggered this ACK");</li>
     * <li>the first blocks of earlier options, newest first (RFC 2018 section 4: "repeating the most
     *     recently reported SACK blocks (based on first SACK blocks in previous SACK options)"), but
     *     when more ranges are held than the option can show, one slot is kept for item 4;</li>
     * <li>the other held ranges in turn, resuming after the last one reported this way, so that
     *     every held range is reported within a few ACKs (Linux keeps only its four most recent
     *     blocks, which leaves older ranges unreported while the newer keep changing).</li>
     * </ol>
     * Apart from the D-SACK, no block covers bytes below RCV.NXT.
     */
    public List<SackBlock> sackBlocks(int max) {
        List<SackBlock> out = new ArrayList<>(Math.max(0, max));
        long[] reported = new long[Math.max(0, max)];
        if (max <= 0) {
            return out;
        }
        if (dsackPending) {
            dsackPending = false;
            out.add(new SackBlock(dsackStart, dsackEnd));
            if (Seq32.gt(dsackStart, rcvNxt())) {
                addRange(out, reported, rangeHolding(offsetOf(dsackStart)), max);
            }
        }
        Map.Entry<Long, End> first = rangeHolding(triggerOff);
        triggerOff = NONE;
        int nextRecent = 0;
        while (first == null && nextRecent < recentCount) {
            first = rangeHolding(recentFirst[nextRecent++]);
        }
        addRange(out, reported, first, max);
        for (int i = nextRecent; i < recentCount && out.size() < max; i++) {
            if (max - out.size() == 1 && ofo.size() > rangesIn(out, reported)) {
                break; // the last slot rotates while some held range is missing from the option
            }
            addRange(out, reported, rangeHolding(recentFirst[i]), max);
        }
        rotate(out, reported, max);
        if (first == null && rangesIn(out, reported) > 0) {
            first = rangeHolding(firstRangeOffset(out, reported));
        }
        if (first != null) {
            pushRecentFirst(first.getKey());
        }
        return out;
    }

    /** The start offset of the first block of {@code out} that names a held range. */
    private static long firstRangeOffset(List<SackBlock> out, long[] reported) {
        for (int i = 0; i < out.size(); i++) {
            if (reported[i] != 0) {
                return reported[i] - 1;
            }
        }
        return NONE;
    }

    /** How many blocks of {@code out} name held ranges (a D-SACK block does not). */
    private static int rangesIn(List<SackBlock> out, long[] reported) {
        int n = 0;
        for (int i = 0; i < out.size(); i++) {
            if (reported[i] != 0) {
                n++;
            }
        }
        return n;
    }

    /** Adds held ranges after the rotation point (wrapping around) until the option is full. */
    private void rotate(List<SackBlock> out, long[] reported, int max) {
        int visited = 0;
        Map.Entry<Long, End> r = ofo.ceilingEntry(rotateOff);
        while (out.size() < max && visited < ofo.size()) {
            if (r == null) {
                r = ofo.firstEntry();
            }
            if (addRange(out, reported, r, max)) {
                rotateOff = r.getKey() + 1;
            }
            visited++;
            r = ofo.higherEntry(r.getKey());
        }
    }

    /** Adds range {@code r} unless absent, already in the option or the option is full; true if added. */
    private boolean addRange(List<SackBlock> out, long[] reported, Map.Entry<Long, End> r, int max) {
        if (r == null || out.size() >= max) {
            return false;
        }
        long key = r.getKey();
        for (int i = 0; i < out.size(); i++) {
            if (reported[i] == key + 1) {
                return false;
            }
        }
        reported[out.size()] = key + 1; // + 1 so that 0 marks a D-SACK slot
        out.add(new SackBlock(seqOf(key), seqOf(r.getValue().offset)));
        return true;
    }

    /** Remembers a first block, dropping older entries that name the same range. */
    private void pushRecentFirst(long key) {
        int n = 0;
        long[] keep = new long[RECENT_FIRST];
        keep[n++] = key;
        for (int i = 0; i < recentCount && n < RECENT_FIRST; i++) {
            Map.Entry<Long, End> r = rangeHolding(recentFirst[i]);
            if (r != null && r.getKey() != key) {
                keep[n++] = recentFirst[i];
            }
        }
        System.arraycopy(keep, 0, recentFirst, 0, n);
        recentCount = n;
    }

    /** The held range containing offset {@code off}, or null. */
    private Map.Entry<Long, End> rangeHolding(long off) {
        if (off < rcvNxtOff) {
            return null;
        }
        Map.Entry<Long, End> r = ofo.floorEntry(off);
        return r != null && r.getValue().offset > off ? r : null;
    }

    /**
     * Adds {@code [start, end)} to the ranges, merging it with every range it overlaps or touches:
     * O(log n) per range found and removed. Overlapped bytes are duplicates (D-SACK).
     */
    private void insert(long start, long end) {
        long mergedStart = start;
        long mergedEnd = end;
        Map.Entry<Long, End> prev = ofo.floorEntry(start);
        if (prev != null && prev.getValue().offset >= start) {
            noteOverlap(start, Math.min(end, prev.getValue().offset));
            mergedStart = prev.getKey();
            mergedEnd = Math.max(end, prev.getValue().offset);
            removeRange(prev);
        }
        for (Map.Entry<Long, End> next = ofo.ceilingEntry(start); next != null && next.getKey() <= mergedEnd;
                next = ofo.ceilingEntry(start)) {
            noteOverlap(next.getKey(), Math.min(end, next.getValue().offset));
            mergedEnd = Math.max(mergedEnd, next.getValue().offset);
            removeRange(next);
        }
        End merged = new End(mergedEnd);
        ofo.put(mergedStart, merged);
        ofoBytes += mergedEnd - mergedStart;
        hintsAfterMerge(mergedStart, merged);
    }

    private void clearHints() {
        java.util.Arrays.fill(hintStart, NONE);
        hintVictim = 0;
    }

    /** The hint whose range ends at {@code start} and whose next range starts beyond {@code end}, or -1. */
    private int hintGrowing(long start, long end) {
        for (int i = 0; i < HINTS; i++) {
            if (hintEnd[i] == start && hintStart[i] != NONE) {
                return end < hintNext[i] ? i : -1;
            }
        }
        return -1;
    }

    /** The range starting at {@code rangeStart} now ends at {@code end} (nothing else changed). */
    private void hintGrown(long rangeStart, long end) {
        for (int i = 0; i < HINTS; i++) {
            if (hintStart[i] == rangeStart) {
                hintEnd[i] = end;
            }
        }
    }

    /** The range starting at {@code rangeStart}, the first one, went (it is in order now). */
    private void hintRemoved(long rangeStart) {
        for (int i = 0; i < HINTS; i++) {
            if (hintStart[i] == rangeStart) {
                hintStart[i] = NONE;
            }
        }
    }

    /**
     * {@code [mergedStart, mergedEnd)} replaced every range it overlaps or touches: hints of those
     * ranges go, a hint of a range before it whose next range lay beyond now has this one next, and
     * the merged range is hinted (the segment that made it is likely followed by the next one of
     * the same run).
     */
    private void hintsAfterMerge(long mergedStart, End merged) {
        long mergedEnd = merged.offset;
        int free = -1;
        for (int i = 0; i < HINTS; i++) {
            long hs = hintStart[i];
            if (hs != NONE && hs >= mergedStart && hs <= mergedEnd) {
                hintStart[i] = hs = NONE;
            }
            if (hs == NONE) {
                free = free < 0 ? i : free;
            } else if (hs < mergedStart && hintNext[i] > mergedStart) {
                hintNext[i] = mergedStart;
            }
        }
        int slot = free;
        if (slot < 0) {
            slot = hintVictim;
            hintVictim = (hintVictim + 1) % HINTS;
        }
        Long next = ofo.higherKey(mergedStart);
        hintStart[slot] = mergedStart;
        hintEnd[slot] = mergedEnd;
        hintRange[slot] = merged;
        hintNext[slot] = next == null ? Long.MAX_VALUE : next;
    }

    /**
     * Whether {@code data} at {@code seq} (trimmed to the window, as for {@link #accept}) agrees
     * with every byte already held out of order at the same sequence numbers. Two copies of the
     * same bytes always agree; for TCP they cannot differ but by corruption, at the MPTCP data level
     * they differ when a mapping put bytes at the wrong DSNs (RFC 8684 section 3.3.1).
     */
    public boolean matchesHeld(int seq, ByteBuffer data) {
        if (ofo.isEmpty() || data.remaining() == 0) {
            return true;
        }
        long start = offsetOf(seq);
        long end = start + data.remaining();
        if (end <= firstStart || start >= lastEnd || hintGrowing(start, end) >= 0) {
            return true; // below the first range, beyond the last, or growing a range up to a gap
        }
        // From the range at or before start, in key order, by entry lookups rather than through a
        // tailMap view: this runs for every data-level segment while anything is held out of order
        // (always, with several subflows), and the view cost a sub-map, a set and an iterator each time.
        Map.Entry<Long, End> r = ofo.floorEntry(start);
        if (r == null) {
            r = ofo.ceilingEntry(start);
        }
        for (; r != null && r.getKey() < end; r = ofo.higherEntry(r.getKey())) {
            long lo = Math.max(start, r.getKey());
            long hi = Math.min(end, r.getValue().offset);
            for (long off = lo; off < hi; off++) {
                byte held = ring[(int) ((head + (off - readOff)) % ring.length)];
                if (held != data.get(data.position() + (int) (off - start))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Forgets every byte held beyond RCV.NXT (none of it was acknowledged, so the sender still has
     * it): for a receiver that learnt some of those bytes were placed by a mapping it no longer
     * trusts (the MPTCP data level, RFC 8684 section 3.3.1). Returns the bytes forgotten.
     */
    public long discardOutOfOrder() {
        long n = ofoBytes;
        ofo.clear();
        clearHints();
        ofoBytes = 0;
        triggerOff = NONE;
        recentCount = 0;
        rotateOff = 0;
        rangesChanged();
        return n;
    }

    /** Re-reads the first and last ranges after the tree changed other than by growing the last range. */
    private void rangesChanged() {
        if (ofo.isEmpty()) {
            firstStart = Long.MAX_VALUE;
            lastStart = NONE;
            lastEnd = NONE;
            lastRange = null;
        } else {
            firstStart = ofo.firstKey();
            Map.Entry<Long, End> last = ofo.lastEntry();
            lastStart = last.getKey();
            lastRange = last.getValue();
            lastEnd = lastRange.offset;
        }
    }

    private void removeRange(Map.Entry<Long, End> r) {
        ofo.remove(r.getKey());
        ofoBytes -= r.getValue().offset - r.getKey();
    }

    /**
     * {@code [from, to)} of the arriving segment was held already. RFC 2883 section 4, rule 1: the
     * D-SACK reports the most recent duplicate segment, so its first duplicated part replaces an
     * older pending D-SACK; a later part of the same segment only extends it when contiguous (held
     * ranges are never adjacent, so in practice only the first part is reported, as Linux does).
     */
    private void noteOverlap(long from, long to) {
        if (from >= to) {
            return;
        }
        int s = seqOf(from);
        int e = seqOf(to);
        if (!dsackFromThisSegment) {
            dsackFromThisSegment = true;
            setDsack(s, e);
        } else if (dsackEnd == s) {
            dsackEnd = e;
        }
    }

    private void setDsack(int start, int end) {
        dsackPending = true;
        dsackStart = start;
        dsackEnd = end;
    }

    private int seqOf(long off) {
        return Seq32.add(baseSeq, (int) off);
    }

    /** The offset of {@code seq}, which lies within 2^31 of RCV.NXT. */
    private long offsetOf(int seq) {
        return rcvNxtOff + Seq32.diff(seq, rcvNxt());
    }

    private void write(int offset, ByteBuffer data) {
        int len = data.remaining();
        if (offset + len > ring.length) {
            resize(Math.min(capacity, Math.max(offset + len, ring.length * 2)));
        }
        int start = (int) (((long) head + offset) % ring.length);
        int first = Math.min(len, ring.length - start);
        data.get(data.position(), ring, start, first);
        if (len > first) {
            data.get(data.position() + first, ring, 0, len - first);
        }
    }

    /** Reallocates the ring to {@code size} bytes, moving its logical content to the front. */
    private void resize(int size) {
        byte[] next = new byte[size];
        int keep = Math.min(size, ring.length);
        int first = Math.min(keep, ring.length - head);
        System.arraycopy(ring, head, next, 0, first);
        System.arraycopy(ring, 0, next, first, keep - first);
        ring = next;
        head = 0;
    }

    /** Checks the documented invariants; for tests (O(number of ranges)). */
    void checkInvariants() {
        if (rcvNxtOff < readOff || readable() > capacity || ring.length > capacity) {
            throw new AssertionError("readOff " + readOff + " rcvNxtOff " + rcvNxtOff + " capacity " + capacity
                    + " ring " + ring.length);
        }
        long prevEnd = rcvNxtOff;
        long sum = 0;
        for (Map.Entry<Long, End> r : ofo.entrySet()) {
            long s = r.getKey();
            long e = r.getValue().offset;
            if (s <= prevEnd || s >= e || e > readOff + capacity) {
                throw new AssertionError("range [" + s + "," + e + ") after " + prevEnd + " limit " + (readOff + capacity));
            }
            sum += e - s;
            prevEnd = e;
        }
        long expectFirst = ofo.isEmpty() ? Long.MAX_VALUE : ofo.firstKey();
        long expectLastStart = ofo.isEmpty() ? NONE : ofo.lastKey();
        End expectLastRange = ofo.isEmpty() ? null : ofo.lastEntry().getValue();
        long expectLastEnd = expectLastRange == null ? NONE : expectLastRange.offset;
        if (firstStart != expectFirst || lastStart != expectLastStart || lastEnd != expectLastEnd || lastRange != expectLastRange) {
            throw new AssertionError("cached ends " + firstStart + " " + lastStart + "-" + lastEnd + " but ranges "
                    + ofo);
        }
        if (sum != ofoBytes) {
            throw new AssertionError("ofoBytes " + ofoBytes + " but ranges hold " + sum);
        }
        for (int i = 0; i < HINTS; i++) {
            if (hintStart[i] == NONE) {
                continue;
            }
            End end = ofo.get(hintStart[i]);
            Long next = ofo.higherKey(hintStart[i]);
            if (end == null || end != hintRange[i] || end.offset != hintEnd[i] || (next == null ? Long.MAX_VALUE : next) != hintNext[i]) {
                throw new AssertionError("hint [" + hintStart[i] + "," + hintEnd[i] + ") next " + hintNext[i]
                        + " but ranges " + ofo);
            }
        }
    }
}
