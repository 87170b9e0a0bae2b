package org.mptcp4j.tcp;

import java.util.List;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.wire.TcpOption.SackBlock;

/**
 * The segments sent and not yet cumulatively acknowledged, with the RFC 6675 scoreboard bits of
 * each (Linux: the retransmit queue with {@code TCPCB_SACKED_ACKED}, {@code TCPCB_LOST},
 * {@code TCPCB_SACKED_RETRANS}). Segments keep their boundaries, so a retransmission resends the
 * same sequence range. Stored as parallel arrays in a ring, one slot per segment.
 *
 * <p>"Pipe" (RFC 6675 section 4) is kept as Linux does: {@code outstanding - sacked - lost +
 * retransmittedInFlight}, where a segment is lost once {@link #markLostBySack} or an RTO says so.
 *
 * <p>Invariants: positions {@code 0..size-1} hold contiguous, increasing sequence ranges; a SACKED
 * segment is never LOST nor RETRANS_OUT; the byte counters equal the sums over the flags.
 */
public final class RetransmitQueue {
    static final byte SACKED = 1;
    static final byte LOST = 2;
    /** A retransmission of this segment is in flight. */
    static final byte RETRANS_OUT = 4;
    /** Retransmitted at least once: no RTT sample from its send time (Karn's rule). */
    static final byte EVER_RETRANS = 8;
    static final byte SYN = 16;
    static final byte FIN = 32;

    private int[] seqs = new int[64];
    private int[] lens = new int[64];
    private long[] sentNanos = new long[64];
    private byte[] flags = new byte[64];
    private int mask = 63;
    private int head;
    private int size;

    private long outstandingBytes;
    private long sackedBytes;
    private long lostBytes;
    private long retransOutBytes;
    /** All segments before this sequence number have been considered by {@link #markLostBySack}. */
    private int lostScanSeq;
    /** No LOST segment awaiting retransmission lies before this sequence number. */
    private int retransHintSeq;
    /** The latest send time of any segment SACKed so far (for {@link #markLostRetransmissions}). */
    private long newestSackedSentNanos = Long.MIN_VALUE;
    /** Results of the last {@link #ackTo}. */
    private long lastRttSentNanos;
    private boolean lastAckedRetransmitted;
    private boolean lastAckedFin;

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    public long outstandingBytes() {
        return outstandingBytes;
    }

    public long sackedBytes() {
        return sackedBytes;
    }

    public long lostBytes() {
        return lostBytes;
    }

    public long retransOutBytes() {
        return retransOutBytes;
    }

    /** RFC 6675 "pipe": the sender's estimate of bytes in the network. */
    public long pipe() {
        return outstandingBytes - sackedBytes - lostBytes + retransOutBytes;
    }

    public int seq(int pos) {
        return seqs[slot(pos)];
    }

    public int len(int pos) {
        return lens[slot(pos)];
    }

    public boolean isSyn(int pos) {
        return (flags[slot(pos)] & SYN) != 0;
    }

    public boolean isFin(int pos) {
        return (flags[slot(pos)] & FIN) != 0;
    }

    public boolean isSacked(int pos) {
        return (flags[slot(pos)] & SACKED) != 0;
    }

    public boolean isLost(int pos) {
        return (flags[slot(pos)] & LOST) != 0;
    }

    /** Records a segment sent for the first time; it must start where the last one ended. */
    public void add(int seq, int len, boolean syn, boolean fin, long nowNanos) {
        if (size == seqs.length) {
            grow();
        }
        if (size == 0) {
            lostScanSeq = seq;
            retransHintSeq = seq;
        }
        int s = slot(size);
        seqs[s] = seq;
        lens[s] = len;
        sentNanos[s] = nowNanos;
        flags[s] = (byte) ((syn ? SYN : 0) | (fin ? FIN : 0));
        size++;
        outstandingBytes += len;
    }

    /**
     * Removes what {@code ack} covers; a segment covered in part is trimmed. Afterwards
     * {@link #rttSentNanos()} is the send time of the newest fully acknowledged segment that was
     * never retransmitted (or -1), and {@link #ackedRetransmitted()} tells whether any was.
     */
    public void ackTo(int ack) {
        lastRttSentNanos = -1;
        lastAckedRetransmitted = false;
        lastAckedFin = false;
        while (size > 0) {
            int s = slot(0);
            int end = Seq32.add(seqs[s], lens[s]);
            if (Seq32.le(end, ack)) {
                if ((flags[s] & EVER_RETRANS) != 0) {
                    lastAckedRetransmitted = true;
                } else {
                    lastRttSentNanos = sentNanos[s];
                }
                lastAckedFin |= (flags[s] & FIN) != 0;
                unaccount(s, lens[s]);
                head = (head + 1) & mask;
                size--;
            } else {
                if (Seq32.gt(ack, seqs[s])) {
                    int cut = Seq32.diff(ack, seqs[s]);
                    unaccountPartial(s, cut);
                    seqs[s] = ack;
                    lens[s] -= cut;
                    flags[s] &= ~SYN;
                }
                break;
            }
        }
        if (size > 0) {
            if (Seq32.lt(lostScanSeq, seq(0))) {
                lostScanSeq = seq(0);
            }
            if (Seq32.lt(retransHintSeq, seq(0))) {
                retransHintSeq = seq(0);
            }
        }
    }

    public long rttSentNanos() {
        return lastRttSentNanos;
    }

    public boolean ackedRetransmitted() {
        return lastAckedRetransmitted;
    }

    public boolean ackedFin() {
        return lastAckedFin;
    }

    /** Marks the segments SACK blocks cover (RFC 2018, RFC 6675 "Update()"); returns bytes newly SACKed. */
    public long onSack(List<SackBlock> blocks) {
        if (size == 0) {
            return 0;
        }
        int una = seq(0);
        int high = Seq32.add(seq(size - 1), len(size - 1));
        long newly = 0;
        for (SackBlock b : blocks) {
            int left = b.left();
            int right = b.right();
            // Blocks below SND.UNA (D-SACK) or beyond what was sent are ignored (RFC 2883, RFC 5961 spirit).
            if (!Seq32.lt(left, right) || Seq32.le(right, una) || Seq32.gt(right, high)) {
                continue;
            }
            for (int pos = firstAtOrAfter(left); pos < size; pos++) {
                int s = slot(pos);
                if (Seq32.gt(Seq32.add(seqs[s], lens[s]), right)) {
                    break;
                }
                if ((flags[s] & SACKED) == 0) {
                    if ((flags[s] & LOST) != 0) {
                        lostBytes -= lens[s];
                    }
                    if ((flags[s] & RETRANS_OUT) != 0) {
                        retransOutBytes -= lens[s];
                    }
                    flags[s] = (byte) ((flags[s] | SACKED) & ~(LOST | RETRANS_OUT));
                    sackedBytes += lens[s];
                    newly += lens[s];
                    newestSackedSentNanos = Math.max(newestSackedSentNanos, sentNanos[s]);
                }
            }
        }
        return newly;
    }

    /**
     * RFC 6675 "IsLost()": a segment is lost when {@code dupThresh} SACKed segments lie above it.
     * The boundary only moves up, so the scan resumes where it stopped. Returns bytes newly lost.
     */
    public long markLostBySack(int dupThresh) {
        if (sackedBytes == 0) {
            return 0;
        }
        int found = 0;
        int boundary = -1;
        for (int pos = size - 1; pos >= 0; pos--) {
            if (isSacked(pos) && ++found == dupThresh) {
                boundary = pos;
                break;
            }
            if (Seq32.lt(seq(pos), lostScanSeq)) {
                break;
            }
        }
        if (boundary < 0) {
            return 0;
        }
        long newly = 0;
        int boundarySeq = seq(boundary);
        for (int pos = firstAtOrAfter(lostScanSeq); pos < boundary; pos++) {
            newly += markLost(pos);
        }
        if (Seq32.gt(boundarySeq, lostScanSeq)) {
            lostScanSeq = boundarySeq;
        }
        return newly;
    }

    /**
     * A retransmission is lost when a segment sent after it (by more than {@code reorderWindowNanos})
     * has been SACKed: the idea of RFC 8985 (RACK) applied to retransmissions only, as Linux's
     * {@code tcp_mark_lost_retrans} did before RACK. The segment is sent again without waiting for
     * the RTO. Returns the bytes found lost.
     */
    public long markLostRetransmissions(long reorderWindowNanos) {
        if (retransOutBytes == 0 || newestSackedSentNanos == Long.MIN_VALUE) {
            return 0;
        }
        long newly = 0;
        for (int pos = 0; pos < size; pos++) {
            int s = slot(pos);
            if ((flags[s] & RETRANS_OUT) != 0 && sentNanos[s] + reorderWindowNanos < newestSackedSentNanos) {
                flags[s] &= ~RETRANS_OUT;
                retransOutBytes -= lens[s];
                newly += lens[s];
                if (Seq32.lt(seqs[s], retransHintSeq)) {
                    retransHintSeq = seqs[s];
                }
            }
        }
        return newly;
    }

    /** NewReno (RFC 6582): the first unacknowledged segment is presumed lost. */
    public long markHeadLost() {
        return size == 0 ? 0 : markLost(0);
    }

    /** After an RTO every segment not SACKed is lost and no retransmission is in flight any more. */
    public void markAllLost() {
        for (int pos = 0; pos < size; pos++) {
            int s = slot(pos);
            flags[s] &= ~RETRANS_OUT;
            markLost(pos);
        }
        retransOutBytes = 0;
        if (size > 0) {
            retransHintSeq = seq(0);
            lostScanSeq = Seq32.add(seq(size - 1), len(size - 1));
        }
    }

    private long markLost(int pos) {
        int s = slot(pos);
        if ((flags[s] & (SACKED | LOST)) != 0) {
            return 0;
        }
        flags[s] |= LOST;
        lostBytes += lens[s];
        if (Seq32.lt(seqs[s], retransHintSeq)) {
            retransHintSeq = seqs[s];
        }
        return lens[s];
    }

    /** The position of the first lost segment without a retransmission in flight, or -1. */
    public int nextToRetransmit() {
        if (lostBytes == retransOutBytes) {
            return -1;
        }
        for (int pos = firstAtOrAfter(retransHintSeq); pos < size; pos++) {
            int f = flags[slot(pos)];
            if ((f & LOST) != 0 && (f & (RETRANS_OUT | SACKED)) == 0) {
                retransHintSeq = seq(pos);
                return pos;
            }
        }
        if (size > 0) {
            retransHintSeq = Seq32.add(seq(size - 1), len(size - 1));
        }
        return -1;
    }

    /** The segment at {@code pos} was sent again. */
    public void onRetransmitted(int pos, long nowNanos) {
        int s = slot(pos);
        if ((flags[s] & RETRANS_OUT) == 0 && (flags[s] & LOST) != 0) {
            retransOutBytes += lens[s];
            flags[s] |= RETRANS_OUT;
        }
        flags[s] |= EVER_RETRANS;
        sentNanos[s] = nowNanos;
    }

    /** The first position whose segment starts at or after {@code seq} (binary search). */
    private int firstAtOrAfter(int seq) {
        if (size == 0) {
            return 0;
        }
        int base = seq(0);
        int target = Seq32.diff(seq, base);
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq32.diff(seq(mid), base) < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void unaccount(int s, int len) {
        outstandingBytes -= len;
        if ((flags[s] & SACKED) != 0) {
            sackedBytes -= len;
        }
        if ((flags[s] & LOST) != 0) {
            lostBytes -= len;
        }
        if ((flags[s] & RETRANS_OUT) != 0) {
            retransOutBytes -= len;
        }
    }

    private void unaccountPartial(int s, int cut) {
        unaccount(s, cut);
    }

    private int slot(int pos) {
        return (head + pos) & mask;
    }

    private void grow() {
        int n = seqs.length * 2;
        int[] ns = new int[n];
        int[] nl = new int[n];
        long[] nt = new long[n];
        byte[] nf = new byte[n];
        for (int i = 0; i < size; i++) {
            int s = slot(i);
            ns[i] = seqs[s];
            nl[i] = lens[s];
            nt[i] = sentNanos[s];
            nf[i] = flags[s];
        }
        seqs = ns;
        lens = nl;
        sentNanos = nt;
        flags = nf;
        head = 0;
        mask = n - 1;
    }

    /** Checks the documented invariants; for tests. */
    void checkInvariants() {
        long out = 0, sacked = 0, lost = 0, rexmit = 0;
        for (int pos = 0; pos < size; pos++) {
            int s = slot(pos);
            if (pos > 0 && seqs[s] != Seq32.add(seq(pos - 1), len(pos - 1))) {
                throw new AssertionError("gap before position " + pos);
            }
            out += lens[s];
            if ((flags[s] & SACKED) != 0) {
                sacked += lens[s];
                if ((flags[s] & (LOST | RETRANS_OUT)) != 0) {
                    throw new AssertionError("sacked segment also lost or in retransmission");
                }
            }
            if ((flags[s] & LOST) != 0) {
                lost += lens[s];
            }
            if ((flags[s] & RETRANS_OUT) != 0) {
                rexmit += lens[s];
            }
        }
        if (out != outstandingBytes || sacked != sackedBytes || lost != lostBytes || rexmit != retransOutBytes) {
            throw new AssertionError("scoreboard counters drifted");
        }
    }
}
