package org.mptcp4j.tcp;

import java.util.List;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.wire.TcpOption.SackBlock;

/**
 * The scoreboard: segments sent and not yet cumulatively acknowledged, with the RFC 6675 bits of
 * each (Linux: the retransmit queue with {@code TCPCB_SACKED_ACKED}, {@code TCPCB_LOST},
 * {@code TCPCB_SACKED_RETRANS}) and the latest transmission time RACK needs (RFC 8985 section
 * 6.1, {@code Segment.xmit_ts}). Segments keep their boundaries, so a retransmission resends the
 * same range, unless {@link #split} cuts one to fit a smaller MSS (Linux {@code tcp_fragment}).
 * Stored as parallel arrays in a ring, one slot per segment.
 *
 * <p>"Pipe" (RFC 6675 section 4) is kept as Linux does: {@code outstanding - sacked - lost +
 * retransmittedInFlight}.
 *
 * <p>Each ACK is processed as {@link #beginAck}, then {@link #onSack} and/or {@link #ackTo};
 * afterwards the accessors ({@link #rttSentNanos()}, {@link #deliveredXmitNanos()}, ...) describe
 * what that ACK delivered.
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

    /** No transmission time (RACK has seen no delivery yet). */
    public static final long NONE = Long.MIN_VALUE;

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
    /** No LOST segment awaiting retransmission lies before this sequence number. */
    private int retransHintSeq;
    /** RACK: segments before this one were sent once and are SACKed or LOST already. */
    private int rackHintSeq;
    /** Highest sequence number SACKed so far (RFC 8985 RACK.fack): delivery below it is reordering. */
    private int fack;
    private boolean fackValid;
    /** Retransmissions in the order they were sent, for RACK. */
    private final RetransmissionLog rtx = new RetransmissionLog();

    // ---- what the ACK in progress delivered
    private long ackNowNanos = Long.MAX_VALUE / 2;
    private long ackMinRttNanos;
    private long lastRttSentNanos = -1;
    private boolean lastAckedRetransmitted;
    private boolean lastAckedFin;
    private long sackRttSentNanos = -1;
    private long deliveredXmitNanos = NONE;
    private int deliveredEndSeq;
    private boolean reorderingSeen;
    /** Retransmissions the last {@link #rackDetectLoss} found lost. */
    private int lostRetransmissions;

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

    /** When the first segment in sequence was last sent (Linux: the rtx queue head's {@code tstamp}). */
    public long sentNanos(int pos) {
        return sentNanos[slot(pos)];
    }

    /** The end of the last segment: SND.NXT as far as the queue knows. */
    public int endSeq() {
        return Seq32.add(seq(size - 1), len(size - 1));
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
            retransHintSeq = seq;
            rackHintSeq = seq;
        }
        int s = slot(size);
        seqs[s] = seq;
        lens[s] = len;
        sentNanos[s] = nowNanos;
        flags[s] = (byte) ((syn ? SYN : 0) | (fin ? FIN : 0));
        size++;
        outstandingBytes += len;
    }

    // ================================================================= one ACK

    /**
     * Starts processing an ACK that arrived at {@code nowNanos}. RACK ignores deliveries of
     * retransmitted segments sent less than {@code minRttNanos} ago: the ACK is likely for the
     * original (RFC 8985 section 6.2 step 2).
     */
    public void beginAck(long nowNanos, long minRttNanos) {
        ackNowNanos = nowNanos;
        ackMinRttNanos = minRttNanos;
        lastRttSentNanos = -1;
        lastAckedRetransmitted = false;
        lastAckedFin = false;
        sackRttSentNanos = -1;
        deliveredXmitNanos = NONE;
    }

    /**
     * Removes what {@code ack} covers; a segment covered in part is trimmed. Afterwards
     * {@link #rttSentNanos()} is the send time of the newest fully acknowledged segment that was
     * neither retransmitted (Karn) nor SACKed before (its delivery was timed already), or -1.
     */
    public void ackTo(int ack) {
        while (size > 0) {
            int s = slot(0);
            int end = Seq32.add(seqs[s], lens[s]);
            if (Seq32.le(end, ack)) {
                if ((flags[s] & EVER_RETRANS) != 0) {
                    lastAckedRetransmitted = true;
                } else if ((flags[s] & SACKED) == 0) {
                    lastRttSentNanos = sentNanos[s];
                }
                lastAckedFin |= (flags[s] & FIN) != 0;
                if ((flags[s] & SACKED) == 0) {
                    onDelivered(s);
                }
                unaccount(s, lens[s]);
                head = (head + 1) & mask;
                size--;
            } else {
                if (Seq32.gt(ack, seqs[s])) {
                    int cut = Seq32.diff(ack, seqs[s]);
                    unaccount(s, cut);
                    seqs[s] = ack;
                    lens[s] -= cut;
                    flags[s] &= ~SYN;
                }
                break;
            }
        }
        if (size > 0) {
            int una = seq(0);
            retransHintSeq = Seq32.max(retransHintSeq, una);
            rackHintSeq = Seq32.max(rackHintSeq, una);
        } else {
            rtx.clear();
        }
    }

    /** The send time of the newest segment this ACK acknowledged cumulatively and may be timed, or -1. */
    public long rttSentNanos() {
        return lastRttSentNanos;
    }

    /** The send time of the newest never-retransmitted segment this ACK SACKed, or -1 (Linux sack RTT). */
    public long sackRttSentNanos() {
        return sackRttSentNanos;
    }

    public boolean ackedRetransmitted() {
        return lastAckedRetransmitted;
    }

    public boolean ackedFin() {
        return lastAckedFin;
    }

    /** RACK (RFC 8985 6.2 step 2): the latest transmission time this ACK delivered, or {@link #NONE}. */
    public long deliveredXmitNanos() {
        return deliveredXmitNanos;
    }

    /** The end sequence number of the segment {@link #deliveredXmitNanos()} belongs to. */
    public int deliveredEndSeq() {
        return deliveredEndSeq;
    }

    /** RFC 8985 6.2 step 3: some segment was delivered after one sent later than it (sticky). */
    public boolean reorderingSeen() {
        return reorderingSeen;
    }

    /** Marks the segments SACK blocks cover (RFC 2018, RFC 6675 "Update()"); returns bytes newly SACKed. */
    public long onSack(List<SackBlock> blocks) {
        if (size == 0) {
            return 0;
        }
        int una = seq(0);
        int high = endSeq();
        long newly = 0;
        int newFack = fack;
        boolean newFackValid = fackValid;
        for (SackBlock b : blocks) {
            int left = b.left();
            int right = b.right();
            // Blocks below SND.UNA (D-SACK, handled by the caller) or beyond what was sent are ignored.
            if (!Seq32.lt(left, right) || Seq32.le(right, una) || Seq32.gt(right, high)) {
                continue;
            }
            for (int pos = firstAtOrAfter(left); pos < size; pos++) {
                int s = slot(pos);
                int end = Seq32.add(seqs[s], lens[s]);
                if (Seq32.gt(end, right)) {
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
                    if ((flags[s] & EVER_RETRANS) == 0) {
                        sackRttSentNanos = Math.max(sackRttSentNanos, sentNanos[s]);
                    }
                    onDelivered(s);
                    if (!newFackValid || Seq32.gt(end, newFack)) {
                        newFack = end;
                        newFackValid = true;
                    }
                }
            }
        }
        fack = newFack;
        fackValid = newFackValid;
        return newly;
    }

    /** RACK bookkeeping for one newly delivered segment (RFC 8985 6.2 steps 2 and 3). */
    private void onDelivered(int s) {
        int end = Seq32.add(seqs[s], lens[s]);
        boolean retransmitted = (flags[s] & EVER_RETRANS) != 0;
        if (!retransmitted && fackValid && Seq32.lt(end, fack)) {
            reorderingSeen = true;
        }
        if (retransmitted && ackNowNanos - sentNanos[s] < ackMinRttNanos) {
            return; // probably the original's delivery: ambiguous, no RACK update
        }
        if (deliveredXmitNanos == NONE || sentAfter(sentNanos[s], end, deliveredXmitNanos, deliveredEndSeq)) {
            deliveredXmitNanos = sentNanos[s];
            deliveredEndSeq = end;
        }
    }

    /** RFC 8985 RACK_sent_after(t1, seq1, t2, seq2). */
    public static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 > t2 || (t1 == t2 && Seq32.gt(seq1, seq2));
    }

    // ================================================================= loss marking

    /**
     * RACK loss detection (RFC 8985 section 6.2 step 5): a segment not yet SACKed is lost when a
     * segment sent after it was delivered and {@code thresholdNanos} (RACK.rtt + RACK.reo_wnd)
     * have passed since it was sent. Segments sent once are walked in sequence order (their send
     * times increase), retransmissions in the order they were sent, each from where the last call
     * stopped. Returns the time until the next segment would be lost ({@code -1} if none waits):
     * the RACK reordering timer. {@link #lostRetransmissions()} counts retransmissions found lost.
     */
    public long rackDetectLoss(long rackXmitNanos, int rackEndSeq, long thresholdNanos, long nowNanos) {
        lostRetransmissions = 0;
        if (rackXmitNanos == NONE || size == 0) {
            return -1;
        }
        long wait = -1;
        // Segments sent once, in sequence order; among them, retransmitted segments that no longer
        // have a retransmission counted in flight (an undo or an RTO took their marks and the list
        // below forgot them), with the time of their last transmission: RFC 8985 section 6.2 step
        // 5 asks about every segment not yet SACKed or lost, and without this such a segment,
        // resent once and lost again, waited for the retransmission timer.
        for (int pos = firstAtOrAfter(rackHintSeq); pos < size; pos++) {
            int s = slot(pos);
            byte f = flags[s];
            boolean untracked = (f & (SACKED | LOST | RETRANS_OUT | EVER_RETRANS)) == EVER_RETRANS;
            if (!untracked && (f & (SACKED | LOST | EVER_RETRANS)) != 0) {
                if (rackHintSeq == seqs[s]) {
                    rackHintSeq = Seq32.add(seqs[s], lens[s]);
                }
                continue;
            }
            if (!sentAfter(rackXmitNanos, rackEndSeq, sentNanos[s], Seq32.add(seqs[s], lens[s]))) {
                if (untracked) {
                    continue; // resent later than the segments after it: they may still be lost
                }
                break;
            }
            long remaining = sentNanos[s] + thresholdNanos - nowNanos;
            if (remaining > 0) {
                wait = wait < 0 ? remaining : Math.min(wait, remaining);
                if (untracked) {
                    continue;
                }
                break;
            }
            if (untracked) {
                lostRetransmissions++;
            }
            markLost(pos);
            if (rackHintSeq == seqs[s]) {
                rackHintSeq = Seq32.add(seqs[s], lens[s]);
            }
        }
        // Retransmissions, in the order they were sent.
        while (!rtx.isEmpty()) {
            int pos = positionOf(rtx.oldestSeq());
            int s = pos < 0 ? -1 : slot(pos);
            if (s < 0 || (flags[s] & RETRANS_OUT) == 0 || sentNanos[s] != rtx.oldestNanos()) {
                rtx.pop(); // acknowledged, SACKed, found lost already, or resent again later
                continue;
            }
            if (!sentAfter(rackXmitNanos, rackEndSeq, sentNanos[s], Seq32.add(seqs[s], lens[s]))) {
                break;
            }
            long remaining = sentNanos[s] + thresholdNanos - nowNanos;
            if (remaining > 0) {
                wait = wait < 0 ? remaining : Math.min(wait, remaining);
                break;
            }
            flags[s] &= ~RETRANS_OUT;
            retransOutBytes -= lens[s];
            retransHintSeq = Seq32.min(retransHintSeq, seqs[s]);
            lostRetransmissions++;
            rtx.pop();
        }
        return wait;
    }

    /** Retransmissions the last {@link #rackDetectLoss} found lost. */
    public int lostRetransmissions() {
        return lostRetransmissions;
    }

    /** NewReno (RFC 6582): the first unacknowledged segment is presumed lost. */
    public long markHeadLost() {
        return size == 0 ? 0 : markLost(0);
    }

    /**
     * The retransmission timer expired. The head is lost whatever the SACK scoreboard says (RFC
     * 6675 section 5.1: the receiver may have reneged); with {@code reneging} every SACK mark is
     * forgotten. Every other segment not SACKed is lost if it was sent at least {@code rackRttNanos}
     * ago, so the most recent ones are not resent while still on their way (Linux
     * {@code tcp_timeout_mark_lost}). Returns bytes newly lost.
     */
    public long markLostOnTimeout(long nowNanos, long rackRttNanos, boolean reneging) {
        long newly = 0;
        for (int pos = 0; pos < size; pos++) {
            int s = slot(pos);
            if ((flags[s] & SACKED) != 0) {
                if (pos > 0 && !reneging) {
                    continue;
                }
                flags[s] &= ~SACKED;
                sackedBytes -= lens[s];
            }
            if ((flags[s] & RETRANS_OUT) != 0) {
                flags[s] &= ~RETRANS_OUT;
                retransOutBytes -= lens[s];
            }
            if (pos == 0 || sentNanos[s] + rackRttNanos <= nowNanos) {
                newly += markLost(pos);
            }
        }
        rtx.clear();
        if (size > 0) {
            retransHintSeq = seq(0);
        }
        if (reneging) {
            fackValid = false;
        }
        return newly;
    }

    /**
     * Undo (RFC 3522, RFC 3708): the losses were spurious. Every LOST mark and retransmission in
     * flight is forgotten; the segments count as in flight once (Linux {@code tcp_undo_cwnd_reduction}
     * with unmark_loss).
     */
    public void unmarkLost() {
        for (int pos = 0; pos < size; pos++) {
            flags[slot(pos)] &= ~(LOST | RETRANS_OUT);
        }
        lostBytes = 0;
        retransOutBytes = 0;
        rtx.clear();
        if (size > 0) {
            rackHintSeq = seq(0);
            retransHintSeq = seq(0);
        }
    }

    /** Marks lost every segment not SACKed whose payload exceeds {@code maxPayload}; returns how many. */
    public int markLostLongerThan(int maxPayload) {
        int n = 0;
        for (int pos = 0; pos < size; pos++) {
            int s = slot(pos);
            int payload = lens[s] - ((flags[s] & FIN) != 0 ? 1 : 0);
            if (payload > maxPayload && (flags[s] & SACKED) == 0) {
                if ((flags[s] & RETRANS_OUT) != 0) {
                    flags[s] &= ~RETRANS_OUT;
                    retransOutBytes -= lens[s];
                }
                markLost(pos);
                n++;
            }
        }
        return n;
    }

    /** Whether the first unacknowledged segment is SACKed: the receiver reneged (RFC 2018 section 8). */
    public boolean headSacked() {
        return size > 0 && isSacked(0);
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

    // ================================================================= retransmission

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
            retransHintSeq = endSeq();
        }
        return -1;
    }

    /**
     * The segment at {@code pos} was sent again. A lost one counts as in flight again; any other
     * (a tail loss probe) only takes the new send time.
     */
    public void onRetransmitted(int pos, long nowNanos) {
        int s = slot(pos);
        if ((flags[s] & RETRANS_OUT) == 0 && (flags[s] & LOST) != 0) {
            retransOutBytes += lens[s];
            flags[s] |= RETRANS_OUT;
            rtx.push(seqs[s], nowNanos);
        }
        flags[s] |= EVER_RETRANS;
        sentNanos[s] = nowNanos;
    }

    /**
     * Cuts the segment at {@code pos} after {@code firstLen} bytes into two with the same marks
     * (Linux {@code tcp_fragment}): a segment that no longer fits the MSS is resent in pieces.
     */
    public void split(int pos, int firstLen) {
        int s = slot(pos);
        if (firstLen <= 0 || firstLen >= lens[s]) {
            throw new IllegalArgumentException("split " + firstLen + " of " + lens[s]);
        }
        if (size == seqs.length) {
            grow();
            s = slot(pos);
        }
        for (int p = size; p > pos + 1; p--) {
            int to = slot(p);
            int from = slot(p - 1);
            seqs[to] = seqs[from];
            lens[to] = lens[from];
            sentNanos[to] = sentNanos[from];
            flags[to] = flags[from];
        }
        int t = slot(pos + 1);
        seqs[t] = Seq32.add(seqs[s], firstLen);
        lens[t] = lens[s] - firstLen;
        sentNanos[t] = sentNanos[s];
        flags[t] = (byte) (flags[s] & ~SYN);
        flags[s] &= ~FIN;
        lens[s] = firstLen;
        size++;
    }

    // ================================================================= positions

    /** The position of the segment starting at {@code seq}, or -1. */
    private int positionOf(int seq) {
        if (size == 0 || Seq32.lt(seq, seq(0))) {
            return -1;
        }
        int pos = firstAtOrAfter(seq);
        return pos < size && seq(pos) == seq ? pos : -1;
    }

    /** The first position whose segment starts at or after {@code seq} (binary search). */
    int firstAtOrAfter(int seq) {
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
            if (lens[s] <= 0) {
                throw new AssertionError("empty segment at position " + pos);
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
