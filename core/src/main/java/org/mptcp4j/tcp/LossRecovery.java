package org.mptcp4j.tcp;

import java.util.List;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.cc.LossEvent;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpOption.SackBlock;

/**
 * The loss-recovery state machine of one connection, over its scoreboard ({@link RetransmitQueue}):
 * <ul>
 * <li>RACK (RFC 8985 section 6): a segment is lost once a segment sent after it was delivered and
 *     RACK.rtt plus a reordering window have passed; the window grows with D-SACKs.</li>
 * <li>TLP (RFC 8985 section 7): two smoothed RTTs after the last transmission without an ACK, one
 *     probe (new data, else the last segment) so that a tail loss is found by SACK, not by the RTO.</li>
 * <li>Fast recovery (RFC 6675 with SACK, RFC 6582 NewReno without, RFC 3042 limited transmit) and
 *     RTO recovery (RFC 6298, RFC 5681), with the SACK reneging rule of RFC 6675 section 5.1.</li>
 * <li>Undo of spurious reductions: Eifel detection with timestamps (RFC 3522) for both, and D-SACK
 *     detection (RFC 3708, RFC 2883 section 5) when every retransmission of an episode was a
 *     duplicate.</li>
 * </ul>
 * Linux: {@code tcp_fastretrans_alert}, {@code tcp_recovery.c}, {@code tcp_try_undo_*},
 * {@code tcp_schedule_loss_probe}. The connection's {@link TcpInput} calls {@link #onAck} once per
 * acceptable ACK; {@link TcpOutput} asks {@link #mayRetransmitBeyondCwnd} and reports each
 * retransmission; the timers call {@link #onRetransmitTimeout}, {@link #onProbeTimeout} and
 * {@link #onReorderTimeout}.
 */
final class LossRecovery {

    /** Loss-recovery state (Linux {@code tcp_ca_state}, reduced to what the RFCs above need). */
    enum CaState { OPEN, RECOVERY, LOSS }

    /** RFC 6675 DupThresh. */
    static final int DUP_THRESH = 3;
    /** RFC 8985 section 7.2: WCDelAckT, the worst-case delayed-ACK time of the receiver. */
    static final long WORST_CASE_DELAYED_ACK_NANOS = 200_000_000L;
    /** RFC 8985 section 6.2 step 4: exits from recovery a raised reordering window persists. */
    static final int REO_WND_PERSIST = 16;

    private final TcpConnection c;
    CaState state = CaState.OPEN;
    int recoveryPoint;
    int dupAcks;
    /** Without SACK: bytes the duplicate ACKs say have left the network (Linux "reno sacks"). */
    long renoSackedBytes;

    // ---- RACK (RFC 8985 section 6.1)
    private long rackXmitNanos = RetransmitQueue.NONE;
    private int rackEndSeq;
    private long rackRttNanos;
    private int reoWndMult = 1;
    private int reoWndPersist;
    private boolean dsackRoundValid;
    private int dsackRoundSeq;

    // ---- TLP (RFC 8985 section 7)
    /** The probe timer fired: the next poll sends a probe. */
    boolean probePending;
    private boolean tlpOutstanding;
    private int tlpEndSeq;
    private boolean tlpIsRetrans;

    // ---- undo (RFC 3522, RFC 3708)
    private boolean undoValid;
    /** SND.UNA when the episode began: D-SACKs for data below it are not ours to count. */
    private int undoMarker;
    /** Retransmissions of the episode not (yet) reported as duplicates by a D-SACK. */
    private int undoRetrans;
    private int episodeRetransmissions;
    /** The TSval of the episode's first retransmission (Linux {@code retrans_stamp}). */
    private int undoTsval;
    private boolean undoTsvalSet;
    /** After an RTO the first segment goes out whatever the window (Linux tcp_retransmit_timer). */
    private boolean rtoHeadPending;
    /** RFC 6675 section 5 step (4.3): entering fast recovery, the first lost segment goes out at once. */
    private boolean fastRetransmitPending;

    /** Facts about the ACK being processed. */
    private boolean dsackInThisAck;

    LossRecovery(TcpConnection c) {
        this.c = c;
    }

    boolean inRecovery() {
        return state == CaState.RECOVERY;
    }

    // ================================================================= ACK processing

    /**
     * The SACK option of an ACK (RFC 2018): a leading D-SACK block (RFC 2883 section 4: below the
     * cumulative ACK, or inside the second block) is taken apart, the rest updates the scoreboard.
     * Returns the bytes newly SACKed.
     */
    long onSackOption(List<SackBlock> blocks, int ack) {
        if (blocks.isEmpty()) {
            return 0;
        }
        SackBlock first = blocks.getFirst();
        boolean dsack = Seq32.lt(first.left(), first.right()) && (Seq32.le(first.right(), ack)
                || (blocks.size() > 1 && Seq32.ge(first.left(), blocks.get(1).left())
                        && Seq32.le(first.right(), blocks.get(1).right())));
        if (dsack) {
            onDsack(first);
        }
        return c.retransmitQueue.onSack(dsack ? blocks.subList(1, blocks.size()) : blocks);
    }

    private void onDsack(SackBlock b) {
        dsackInThisAck = true;
        c.mib.increment(MibCounter.TCP_DSACK_RECV);
        // RFC 3708 section 3.2: each D-SACK for data of this episode reports one needless retransmission.
        if (undoValid && Seq32.ge(b.left(), undoMarker)) {
            int segments = Math.max(1, (Seq32.diff(b.right(), b.left()) + c.sndMss - 1) / c.sndMss);
            undoRetrans -= segments;
        }
        // RFC 8985 7.4: a D-SACK for the probe's retransmission means it repaired nothing.
        if (tlpOutstanding && tlpIsRetrans && Seq32.le(b.right(), tlpEndSeq) && Seq32.gt(b.right(),
                Seq32.add(tlpEndSeq, -Math.max(c.sndMss, 1) - 1))) {
            tlpOutstanding = false;
        }
        // RFC 8985 6.2 step 4: widen the reordering window once per round trip with D-SACKs.
        if (!dsackRoundValid) {
            dsackRoundValid = true;
            dsackRoundSeq = c.sndNxt;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /**
     * One acceptable ACK after the scoreboard was updated: {@code acked} bytes newly acknowledged
     * cumulatively (0 for a duplicate), {@code newlySacked} bytes newly SACKed, and whether it is a
     * duplicate ACK by the rules in force (RFC 6675 section 2 with SACK, RFC 5681 section 2 without).
     * {@code tsEcr} is the ACK's timestamp echo, 0 when it carries none.
     */
    void onAck(long nowNanos, int ack, int acked, long newlySacked, boolean dupAck, int tsEcr) {
        RetransmitQueue q = c.retransmitQueue;
        if (acked > 0) {
            rtoHeadPending = false;
            // RFC 3522 (Eifel): the ACK echoes a timestamp older than our first retransmission, so
            // it answers the original transmission: the timeout or fast retransmit was spurious.
            if (state != CaState.OPEN && undoValid && undoTsvalSet && tsEcr != 0
                    && Seq32.lt(tsEcr, undoTsval)) {
                undo(nowNanos, state == CaState.LOSS ? MibCounter.TCP_SPURIOUS_RTOS : MibCounter.TCP_FULL_UNDO);
            }
        }
        if (dsackRoundValid && Seq32.ge(c.sndUna, dsackRoundSeq) && !dsackInThisAck) {
            dsackRoundValid = false;
        }
        switch (state) {
            case RECOVERY -> {
                if (acked > 0 && Seq32.ge(ack, recoveryPoint)) {
                    exitRecovery(nowNanos);
                } else if (acked > 0 && !c.sackOk) {
                    // RFC 6582 3.2 step 5: a partial ACK; retransmit the first unacknowledged segment.
                    renoSackedBytes = Math.max(0, renoSackedBytes - acked);
                    q.markHeadLost();
                } else if (dupAck && !c.sackOk) {
                    // RFC 6582 step 4: each further duplicate ACK means a segment left the network.
                    renoSackedBytes = Math.min(renoSackedBytes + c.sndMss, renoCap());
                }
            }
            case LOSS -> {
                if (acked > 0 && Seq32.ge(ack, recoveryPoint)) {
                    exitRecovery(nowNanos);
                }
            }
            case OPEN -> {
                if (dupAck) {
                    dupAcks++;
                    if (!c.sackOk && dupAcks >= DUP_THRESH) {
                        // RFC 6582 3.2 step 2: the first segment is lost.
                        q.markHeadLost();
                        renoSackedBytes = Math.min((long) dupAcks * c.sndMss, renoCap());
                    }
                } else if (acked > 0) {
                    dupAcks = 0;
                    renoSackedBytes = 0;
                }
            }
        }
        rackOnAck(nowNanos);
        tlpOnAck(nowNanos, ack, acked);
        if (state == CaState.OPEN && q.lostBytes() > q.retransOutBytes() && c.cc != null) {
            enterRecovery(nowNanos);
        }
        if (state == CaState.OPEN && undoValid && episodeRetransmissions > 0 && undoRetrans <= 0) {
            undo(nowNanos, MibCounter.TCP_DSACK_UNDO); // RFC 3708: every retransmission was needless
        }
        dsackInThisAck = false;
        scheduleProbe(nowNanos);
    }

    private long renoCap() {
        RetransmitQueue q = c.retransmitQueue;
        return q.isEmpty() ? 0 : Math.max(0, q.outstandingBytes() - q.len(0));
    }

    /** RFC 8985 section 6.2 steps 1-5 after the scoreboard took the ACK. */
    private void rackOnAck(long nowNanos) {
        RetransmitQueue q = c.retransmitQueue;
        long xmit = q.deliveredXmitNanos();
        if (xmit != RetransmitQueue.NONE) {
            rackRttNanos = Math.max(0, nowNanos - xmit);
            if (rackXmitNanos == RetransmitQueue.NONE
                    || RetransmitQueue.sentAfter(xmit, q.deliveredEndSeq(), rackXmitNanos, rackEndSeq)) {
                rackXmitNanos = xmit;
                rackEndSeq = q.deliveredEndSeq();
            }
        }
        detectLoss(nowNanos);
    }

    private void detectLoss(long nowNanos) {
        RetransmitQueue q = c.retransmitQueue;
        long wait = q.rackDetectLoss(rackXmitNanos, rackEndSeq, rackRttNanos + reorderWindowNanos(), nowNanos);
        if (q.lostRetransmissions() > 0) {
            c.mib.add(MibCounter.TCP_LOST_RETRANSMIT, q.lostRetransmissions());
            undoValid = false; // a retransmission was really lost: the episode was no illusion
        }
        if (wait > 0) {
            c.timers.set(Timer.REORDER, nowNanos + wait);
        } else {
            c.timers.stop(Timer.REORDER);
        }
    }

    /** RFC 8985 section 6.2 step 4, RACK_update_reo_wnd (the D-SACK part is in {@link #onDsack}). */
    long reorderWindowNanos() {
        RetransmitQueue q = c.retransmitQueue;
        if (!q.reorderingSeen()) {
            if (state != CaState.OPEN) {
                return 0;
            }
            if (q.sackedBytes() >= (long) DUP_THRESH * c.sndMss) {
                return 0;
            }
        }
        long quarter = c.rtt.minRttNanos() / 4;
        return Math.min(quarter * reoWndMult, c.rtt.srttNanos());
    }

    /** The RACK reordering timer fired (RFC 8985 section 6.3): some segments' windows have passed. */
    void onReorderTimeout(long nowNanos) {
        detectLoss(nowNanos);
        if (state == CaState.OPEN && c.retransmitQueue.lostBytes() > 0 && c.cc != null) {
            enterRecovery(nowNanos);
        }
    }

    private void enterRecovery(long nowNanos) {
        RetransmitQueue q = c.retransmitQueue;
        state = CaState.RECOVERY;
        recoveryPoint = c.sndNxt;
        c.mib.increment(c.sackOk ? MibCounter.TCP_SACK_RECOVERY : MibCounter.TCP_RENO_RECOVERY);
        startUndo();
        // FlightSize (RFC 5681 eq. 4), but never above cwnd: while RACK's reordering window runs,
        // SACKs let new data out and SACKed bytes would inflate it (Linux halves cwnd itself).
        long flight = Math.min(q.outstandingBytes(), c.cc.windowBytes());
        c.cc.onCongestion(new LossEvent(nowNanos, flight, q.lostBytes(), c.rtt.srttNanos()));
        c.timers.stop(Timer.LOSS_PROBE);
        fastRetransmitPending = true;
    }

    private void exitRecovery(long nowNanos) {
        CaState was = state;
        state = CaState.OPEN;
        dupAcks = 0;
        renoSackedBytes = 0;
        if (--reoWndPersist <= 0) {
            reoWndMult = 1;
        }
        if (was == CaState.RECOVERY && c.cc != null) {
            c.cc.onRecoveryExit(nowNanos);
        }
    }

    private void startUndo() {
        undoValid = true;
        undoMarker = c.sndUna;
        undoRetrans = 0;
        episodeRetransmissions = 0;
        undoTsvalSet = false;
    }

    /** The reduction was spurious: restore the window and forget the LOST marks (Linux tcp_undo_cwnd_reduction). */
    private void undo(long nowNanos, MibCounter why) {
        c.mib.increment(why);
        if (why == MibCounter.TCP_SPURIOUS_RTOS) {
            c.mib.increment(MibCounter.TCP_LOSS_UNDO);
        }
        if (c.cc != null) {
            c.cc.onUndo(nowNanos);
        }
        c.retransmitQueue.unmarkLost();
        state = CaState.OPEN;
        dupAcks = 0;
        renoSackedBytes = 0;
        undoValid = false;
        rtoHeadPending = false;
        fastRetransmitPending = false;
        c.rtt.resetBackoff();
    }

    // ================================================================= tail loss probe

    /**
     * RFC 8985 section 7.4.2: what the ACK says about an outstanding probe. A probe of new data
     * needs nothing; a D-SACK for a resent probe ({@link #onDsack}) means it repaired nothing; an
     * ACK beyond a resent probe without one means it repaired a tail loss, a congestion event
     * all the same. At exactly its end the answer may still come, so nothing is decided then.
     */
    private void tlpOnAck(long nowNanos, int ack, int acked) {
        if (!tlpOutstanding || acked <= 0 || Seq32.lt(ack, tlpEndSeq)) {
            return;
        }
        if (!tlpIsRetrans) {
            tlpOutstanding = false;
        } else if (Seq32.gt(ack, tlpEndSeq)) {
            tlpOutstanding = false;
            if (state == CaState.OPEN && c.cc != null) {
                c.mib.increment(MibCounter.TCP_LOSS_PROBE_RECOVERY);
                c.cc.onCongestion(new LossEvent(nowNanos, c.retransmitQueue.outstandingBytes(), 0,
                        c.rtt.srttNanos()));
                c.cc.onRecoveryExit(nowNanos);
            }
        }
    }

    /**
     * RFC 8985 section 7.2: arms the probe timeout when data is outstanding, no recovery is under
     * way and no probe is outstanding. PTO = 2 SRTT (plus WCDelAckT with a single segment in
     * flight), never later than the RTO.
     */
    void scheduleProbe(long nowNanos) {
        RetransmitQueue q = c.retransmitQueue;
        if (!c.sackOk || state != CaState.OPEN || tlpOutstanding || q.isEmpty() || !c.rtt.hasSample()
                || !c.state.isSynchronized()) {
            c.timers.stop(Timer.LOSS_PROBE);
            return;
        }
        long pto = 2 * c.rtt.srttNanos();
        if (q.size() == 1) {
            pto += WORST_CASE_DELAYED_ACK_NANOS;
        }
        // PTO = min(PTO, RTO): when the RTO would come first, the probe goes out in its place,
        // just before it (Linux arms the probe at the RTO's time on the same timer).
        long at = Math.min(nowNanos + Math.max(pto, 1), c.timers.deadline(Timer.RETRANSMIT) - 1);
        c.timers.set(Timer.LOSS_PROBE, Math.max(at, nowNanos));
    }

    /** RFC 8985 section 7.3: the probe timer fired; the next poll sends one probe. */
    void onProbeTimeout(long nowNanos) {
        if (state != CaState.OPEN || c.retransmitQueue.isEmpty() || tlpOutstanding) {
            return;
        }
        probePending = true;
        c.mib.increment(MibCounter.TCP_LOSS_PROBES);
    }

    /** The probe went out: {@code retransmission} tells whether it resent the last segment. */
    void onProbeSent(long nowNanos, boolean retransmission) {
        probePending = false;
        tlpOutstanding = true;
        tlpEndSeq = c.sndNxt;
        tlpIsRetrans = retransmission;
        c.timers.set(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
    }

    // ================================================================= retransmission timeout

    /**
     * The retransmission timer expired with data outstanding (RFC 6298 section 5, RFC 5681
     * section 3.1). {@code first} is true for the first expiry of a series (window reduction).
     */
    void onRetransmitTimeout(long nowNanos, boolean first) {
        RetransmitQueue q = c.retransmitQueue;
        boolean reneging = q.headSacked();
        if (reneging) {
            c.mib.increment(MibCounter.TCP_SACK_RENEGING);
        }
        if (first) {
            if (state == CaState.OPEN || !undoValid) {
                startUndo();
            }
            undoTsvalSet = false;
            if (c.cc != null) {
                c.cc.onRto(nowNanos, q.outstandingBytes());
            }
        }
        long rackRtt = rackRttNanos > 0 ? rackRttNanos : c.rtt.srttNanos();
        q.markLostOnTimeout(nowNanos, rackRtt + reorderWindowNanos(), reneging);
        state = CaState.LOSS;
        recoveryPoint = c.sndNxt;
        dupAcks = 0;
        renoSackedBytes = 0;
        tlpOutstanding = false;
        probePending = false;
        rtoHeadPending = true;
        c.timers.stop(Timer.LOSS_PROBE);
        c.timers.stop(Timer.REORDER);
    }

    /**
     * Whether the segment at {@code pos} may be resent beyond the congestion window: the head after
     * an RTO, and the first retransmission of fast recovery, which RFC 6675 (4.3) sends at once
     * although pipe still exceeds the halved window.
     */
    boolean mayRetransmitBeyondCwnd(int pos) {
        return (rtoHeadPending && pos == 0) || fastRetransmitPending;
    }

    /** A lost segment was resent; {@code tsval} is the timestamp it carries (for Eifel). */
    void onRetransmit(long nowNanos, int tsval) {
        rtoHeadPending = false;
        fastRetransmitPending = false;
        if (undoValid) {
            undoRetrans++;
            episodeRetransmissions++;
            if (!undoTsvalSet) {
                undoTsval = tsval;
                undoTsvalSet = true;
            }
        }
    }

    /** The path MTU fell: segments that no longer fit are resent without a window reduction (RFC 1191). */
    void onMtuLoss(long nowNanos) {
        if (state == CaState.OPEN) {
            state = CaState.LOSS;
            recoveryPoint = c.sndNxt;
            undoValid = false;
        }
    }
}
