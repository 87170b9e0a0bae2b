package org.mptcp4j.tcp;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.List;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.cc.AckEvent;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.IncomingOptions;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * Segment arrival (RFC 9293 section 3.10.7) for one {@link TcpConnection}: the transition table,
 * then the phases of the synchronized states in RFC order (sequence check with PAWS, RST, SYN,
 * ACK, payload, FIN). Linux: {@code tcp_rcv_state_process}, {@code tcp_ack},
 * {@code tcp_data_queue}, {@code tcp_fin}. Nothing here throws on segment content.
 */
final class TcpInput {
    private TcpInput() {}

    /** RFC 7323 5.5: TS.Recent older than 24 days is invalid for PAWS. */
    private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

    /** {@code seg}'s first timestamps option and first DSS are in {@code opts}, not in its list. */
    static void process(TcpConnection c, long nowNanos, TcpSegment seg, IncomingOptions opts) {
        if (c.ackNow && c.state.isSynchronized() && !c.rstPending) {
            // An ACK fell due on the last segment and the driver has not polled since (a receive
            // batch, a super-segment train): it leaves now, not merged into a later one, so the
            // sender sees every duplicate ACK and every SACK change (RFC 5681 4.2, RFC 2018 4).
            TcpOutput.oweAck(c, nowNanos);
        }
        int f = seg.flags();
        if (TcpFlags.has(f, TcpFlags.SYN) && TcpFlags.has(f, TcpFlags.RST | TcpFlags.FIN)) {
            c.mib.increment(MibCounter.TCP_IN_BAD_FLAGS);
            return;
        }
        switch (c.state) {
            // RFC 9293 3.10.7.1 / 3.10.7.2: the stack answers these before a connection exists.
            case CLOSED, LISTEN -> { }
            // RFC 9293 3.10.7.3: SYN-SENT.
            case SYN_SENT -> onSegmentSynSent(c, nowNanos, seg, opts);
            // RFC 9293 3.10.7.4: every other state, phase by phase.
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT ->
                    onSegmentSynchronized(c, nowNanos, seg, opts);
        }
        if (c.ackNow && c.sackOk && c.state.isSynchronized() && !c.rstPending
                && (c.receiveBuffer.hasOutOfOrder() || c.receiveBuffer.hasPendingDsack())) {
            // With data held out of order (or a duplicate to report) the ACK goes at once on its
            // own, as Linux's __tcp_ack_snd_check sends it: a data segment may have no room for the
            // SACK blocks beside the extension's options (MPTCP's DSS takes 28 of the 40 bytes
            // after timestamps), and an ACK riding on data is no duplicate ACK either, so the
            // sender would learn of the hole only from its RTO.
            TcpOutput.oweAck(c, nowNanos);
        }
    }

    // ================================================================= SYN-SENT

    private static void onSegmentSynSent(TcpConnection c, long nowNanos, TcpSegment seg, IncomingOptions opts) {
        boolean ack = seg.has(TcpFlags.ACK);
        // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set)".
        if (ack && (Seq32.le(seg.ack(), c.iss) || Seq32.gt(seg.ack(), c.sndNxt))) {
            if (!seg.has(TcpFlags.RST)) {
                c.queueRst(seg.ack(), 0, false);
            }
            return;
        }
        if (seg.has(TcpFlags.RST)) {
            // "If the ACK was acceptable, then signal to the user 'error: connection reset'".
            if (ack) {
                c.mib.increment(MibCounter.TCP_ATTEMPT_FAILS);
                c.extension.onResetAccepted(c, seg);
                c.fail(TcpError.REFUSED);
                resetSeenByExtension(c, seg);
            }
            return;
        }
        if (!seg.has(TcpFlags.SYN)) {
            return;
        }
        applySynOptions(c, seg, opts, nowNanos);
        c.irs = seg.seq();
        c.receiveBuffer.reset(Seq32.add(seg.seq(), 1));
        c.initReceiveWindow();
        c.sndWnd = seg.window(); // RFC 7323 2.2: the window of a SYN is never scaled.
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = seg.seq();
        c.sndWl2 = seg.ack();
        c.ackNow = true;
        if (ack) {
            onSynAcked(c, nowNanos, seg.ack());
            if (!c.extension.onSegmentReceived(c, seg)) {
                // The extension refused the handshake (an MP_JOIN SYN-ACK with a wrong HMAC, say).
                c.mib.increment(MibCounter.TCP_EXTENSION_REJECT);
                c.queueRst(c.sndNxt, 0, false);
                c.fail(TcpError.PROTOCOL_ERROR);
            }
        } else {
            // Simultaneous open: "enter SYN-RECEIVED, form a SYN,ACK segment and send it".
            c.synNeeded = true;
            c.setState(TcpState.SYN_RECEIVED);
            c.extension.onSegmentReceived(c, seg);
        }
    }

    /** Our SYN is acknowledged: the handshake completes (both active and passive side). */
    private static void onSynAcked(TcpConnection c, long nowNanos, int ack) {
        c.sndUna = ack;
        c.timers.stop(Timer.RETRANSMIT);
        if (!c.synRetransmitted) {
            c.rtt.onSample(nowNanos - c.synSentNanos);
        } else if (c.rtt.backoffCount() > 0) {
            c.rtt.onHandshakeAfterSynTimeout();
        }
        c.synRetries = 0;
        c.setState(TcpState.ESTABLISHED);
        c.onEstablished(nowNanos);
        c.events.onEstablished(c);
        if (c.finQueued) {
            c.setState(TcpState.FIN_WAIT_1);
        }
    }

    /** The options of a SYN or SYN-ACK decide what the connection uses (RFC 7323, RFC 2018, RFC 9293 3.7.1). */
    static void applySynOptions(TcpConnection c, TcpSegment syn, IncomingOptions opts, long nowNanos) {
        TcpOption.Mss mss = null;
        TcpOption.WindowScale ws = null;
        // Of several options of a kind the last counts; the first timestamps option is in opts.
        boolean ts = opts.hasTimestamps();
        int tsVal = opts.tsVal();
        boolean sackPermitted = false;
        for (TcpOption o : syn.options()) {
            switch (o) {
                case TcpOption.Mss m -> mss = m;
                case TcpOption.WindowScale w -> ws = w;
                case TcpOption.Timestamps t -> {
                    ts = true;
                    tsVal = t.tsVal();
                }
                case TcpOption.SackPermitted p -> sackPermitted = true;
                default -> { }
            }
        }
        int defaultMss = c.remote.getAddress() instanceof Inet6Address ? TcpConfig.DEFAULT_PEER_MSS_IPV6
                : TcpConfig.DEFAULT_PEER_MSS;
        c.peerMss = mss == null ? defaultMss : Math.max(64, mss.mss());
        if (c.wsOk && ws != null) {
            // RFC 7323 2.3: a shift above 14 is used as 14.
            c.sndWscale = Math.min(Math.max(ws.shift(), 0), 14);
        } else {
            c.wsOk = false;
            c.sndWscale = 0;
        }
        c.sackOk &= sackPermitted;
        if (c.tsOk && ts) {
            c.tsRecent = tsVal;
            c.tsRecentNanos = nowNanos;
            c.tsRecentValid = true;
        } else {
            c.tsOk = false;
        }
        c.setMssClamp(Math.max(64 + TcpConnection.TIMESTAMPS_ALIGNED,
                Math.min(Math.min(c.peerMss, c.config.mss()), c.pathMtuClamp)));
    }

    // ================================================================= synchronized states

    private static void onSegmentSynchronized(TcpConnection c, long nowNanos, TcpSegment seg, IncomingOptions opts) {
        boolean rst = seg.has(TcpFlags.RST);
        int wndShift = c.sndWscale;
        boolean ts = c.tsOk && opts.hasTimestamps();
        int tsVal = opts.tsVal();
        // TSecr, or 0 without timestamps: every use of it takes 0 for "no echo" (RFC 7323 4.3).
        int tsEcr = ts ? opts.tsEcr() : 0;
        // RFC 7323 5.5: after 24 days of idleness TS.Recent "is assumed to be valid no longer".
        boolean tsRecentValid = c.tsRecentValid && nowNanos - c.tsRecentNanos < PAWS_IDLE_NANOS;
        // RFC 7323 5.3 R1: PAWS.
        if (ts && !rst && tsRecentValid && Seq32.lt(tsVal, c.tsRecent)) {
            if (disorderedAck(c, seg, tsVal)) {
                // Not answered: an ACK for an ACK would only add a duplicate for the peer to count.
                onOvertakenAck(c, seg, MibCounter.PAWS_OLD_ACK);
                return;
            }
            c.mib.increment(MibCounter.PAWS_ESTAB_REJECTED);
            c.ackNow = true;
            return;
        }
        if (c.state == TcpState.SYN_RECEIVED && seg.has(TcpFlags.SYN) && seg.has(TcpFlags.ACK) && seg.seq() == c.irs
                && !rst) {
            // Simultaneous open (RFC 9293 figure 8, step 5): the peer's SYN-ACK repeats the SYN we
            // already have and acknowledges ours; take it as the ACK that completes the handshake.
            seg = seg.withFlags(seg.flags() & ~TcpFlags.SYN).withSeq(Seq32.add(c.irs, 1));
            // RFC 7323 2.2: "The Window field in a SYN (i.e., a <SYN> or <SYN,ACK>) segment itself
            // is never scaled"; the synthetic ACK's window goes in unshifted.
            wndShift = 0;
        }
        // First: the sequence number.
        int segLen = seg.segmentLength();
        if (!acceptable(c, seg.seq(), segLen)) {
            if (rst) {
                return; // RFC 5961 3.2: a RST outside the window is dropped silently.
            }
            if (c.state == TcpState.SYN_RECEIVED && seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.ACK)
                    && seg.seq() == c.irs) {
                c.synNeeded = true; // the peer retransmitted its SYN: our SYN-ACK was lost
                return;
            }
            c.ackNow = true; // RFC 9293 3.10.7.4, as Linux's tcp_send_dupack
            if (overtakenAck(c, seg)) {
                onOvertakenAck(c, seg, MibCounter.TCP_OUT_OF_WINDOW);
                return;
            }
            if (seg.payloadLength() > 0 && c.sackOk
                    && Seq32.le(Seq32.add(seg.seq(), seg.payloadLength()), c.receiveBuffer.rcvNxt())) {
                // RFC 2883 section 4: report the duplicate in the first SACK block (D-SACK).
                c.receiveBuffer.noteDuplicate(seg.seq(), Seq32.add(seg.seq(), seg.payloadLength()));
                c.mib.increment(MibCounter.TCP_DSACK_OLD_SENT);
            }
            if (c.state == TcpState.TIME_WAIT && seg.has(TcpFlags.FIN)) {
                c.timers.set(Timer.TIME_WAIT, nowNanos + c.config.timeWaitNanos());
                return;
            }
            // RFC 9293: with a zero window "special allowance should be made to accept valid ACKs".
            if (segLen > 0 && c.rcvWnd() == 0 && seg.seq() == c.rcvNxt() && seg.has(TcpFlags.ACK)
                    && !seg.has(TcpFlags.SYN)) {
                c.mib.increment(MibCounter.TCP_ZERO_WINDOW_DROP);
                seg = seg.withPayload(TcpSegment.EMPTY).withFlags(seg.flags() & ~TcpFlags.FIN);
            } else {
                c.mib.increment(MibCounter.TCP_OUT_OF_WINDOW);
                return;
            }
        }
        // The receiver's RTT for buffer autotuning (Linux tcp_rcv_rtt_measure_ts): data echoing one of
        // our timestamps arrived that long after we sent it; the clock ticks in milliseconds.
        if (c.autotuner != null && seg.payloadLength() > 0 && tsEcr != 0) {
            int ms = Seq32.diff(TcpOutput.tsClock(c, nowNanos), tsEcr);
            if (ms >= 0 && ms < 60_000) {
                c.autotuner.onRttSample(Math.max(ms, 1) * 1_000_000L);
            }
        }
        // RFC 7323 5.3 R3: remember the peer's timestamp for echoing.
        if (ts && Seq32.le(seg.seq(), c.lastAckSent) && (!tsRecentValid || Seq32.ge(tsVal, c.tsRecent))) {
            c.tsRecent = tsVal;
            c.tsRecentNanos = nowNanos;
            c.tsRecentValid = true;
        }
        // Second: RST (RFC 5961 3.2: reset only on an exact match, else a challenge ACK). As Linux
        // (tcp_validate_incoming), the right edge of the highest SACK block matches too: a peer
        // that resets while some of its segments are lost sends the RST at its SND.NXT, the end of
        // what arrived out of order, and a challenge ACK would trade that RST, and what it carries
        // (MP_TCPRST, MP_FAIL: RFC 8684 section 3.7), for the plain RST that answers it.
        if (rst) {
            if (seg.seq() == c.rcvNxt() || c.sackOk && c.receiveBuffer.hasOutOfOrder()
                    && seg.seq() == c.receiveBuffer.outOfOrderEnd()) {
                c.extension.onResetAccepted(c, seg);
                onValidRst(c);
                resetSeenByExtension(c, seg);
            } else {
                challengeAck(c, nowNanos);
            }
            return;
        }
        // Fourth: SYN in a synchronized state (RFC 5961 4.2): challenge ACK, never a reset.
        if (seg.has(TcpFlags.SYN)) {
            c.mib.increment(MibCounter.TCP_SYN_CHALLENGE);
            challengeAck(c, nowNanos);
            return;
        }
        // Fifth: ACK.
        if (!seg.has(TcpFlags.ACK)) {
            return;
        }
        if (c.state == TcpState.SYN_RECEIVED) {
            if (Seq32.gt(seg.ack(), c.sndUna) && Seq32.le(seg.ack(), c.sndNxt)) {
                onSynAcked(c, nowNanos, seg.ack());
                c.sndWnd = (long) seg.window() << wndShift;
                c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
                c.sndWl1 = seg.seq();
                c.sndWl2 = seg.ack();
            } else {
                c.queueRst(seg.ack(), 0, false);
                return;
            }
        }
        if (!c.extension.onSegmentReceived(c, seg)) {
            c.mib.increment(MibCounter.TCP_EXTENSION_REJECT);
            c.queueRst(c.sndNxt, 0, false);
            c.fail(TcpError.PROTOCOL_ERROR);
            return;
        }
        if (!processAck(c, nowNanos, seg, tsEcr, wndShift)) {
            return;
        }
        if (c.config.keepaliveEnabled()) {
            c.keepaliveProbesSent = 0;
            c.timers.set(Timer.KEEPALIVE, nowNanos + c.config.keepaliveIdleNanos());
        }
        // Seventh: segment text.
        boolean finTrimmed = false;
        if (seg.payloadLength() > 0 && c.state.mayReceive()) {
            finTrimmed = processPayload(c, nowNanos, seg);
            if (c.state == TcpState.CLOSED) {
                return;
            }
        }
        // Eighth: FIN.
        if (seg.has(TcpFlags.FIN) && !finTrimmed) {
            processFin(c, nowNanos, Seq32.add(seg.seq(), seg.payloadLength()));
        }
        if (c.peerFinPending && c.receiveBuffer.rcvNxt() == c.peerFinSeq) {
            onPeerFin(c, nowNanos);
        }
    }

    /** RFC 9293 3.10.7.4, the four cases of the acceptability test. */
    static boolean acceptable(TcpConnection c, int seq, int segLen) {
        int rcvNxt = c.rcvNxt();
        int wnd = (int) c.rcvWnd();
        int right = Seq32.add(rcvNxt, wnd);
        if (segLen == 0) {
            return wnd == 0 ? seq == rcvNxt : Seq32.inRange(seq, rcvNxt, right);
        }
        if (wnd == 0) {
            return false;
        }
        return Seq32.inRange(seq, rcvNxt, right) || Seq32.inRange(Seq32.add(seq, segLen - 1), rcvNxt, right);
    }

    /**
     * An accepted RST's options go to the extension too, as Linux's tcp_reset hands them to MPTCP
     * (MP_TCPRST and MP_FASTCLOSE ride on RSTs: RFC 8684 sections 3.6 and 3.5); it cannot refuse
     * a reset. After the reset, so that what it does (closing the other subflows after an
     * MP_FASTCLOSE) cannot answer this RST with one of this connection's own.
     */
    private static void resetSeenByExtension(TcpConnection c, TcpSegment seg) {
        if (c.extension != SubflowExtension.PLAIN) {
            c.extension.onSegmentReceived(c, seg);
        }
    }

    private static void onValidRst(TcpConnection c) {
        switch (c.state) {
            case SYN_RECEIVED -> {
                // "If this connection was initiated with a passive OPEN, then return to LISTEN":
                // the half-open child simply disappears; an active (simultaneous) open is refused.
                c.mib.increment(MibCounter.TCP_ATTEMPT_FAILS);
                if (c.activeOpen) {
                    c.fail(TcpError.REFUSED);
                } else {
                    c.enterClosed();
                }
            }
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> c.fail(TcpError.RESET_BY_PEER);
            case CLOSING, LAST_ACK, TIME_WAIT -> c.enterClosed();
            case CLOSED, LISTEN, SYN_SENT -> { }
        }
    }

    /**
     * RFC 5961 section 7: "an implementation SHOULD include an ACK throttling mechanism": at most
     * {@link TcpConnection#CHALLENGE_ACKS_PER_SECOND} challenge ACKs per second per connection.
     */
    private static void challengeAck(TcpConnection c, long nowNanos) {
        if (nowNanos - c.challengeWindowStartNanos >= 1_000_000_000L) {
            c.challengeWindowStartNanos = nowNanos;
            c.challengeAcksInWindow = 0;
        }
        if (c.challengeAcksInWindow >= TcpConnection.CHALLENGE_ACKS_PER_SECOND) {
            return;
        }
        c.challengeAcksInWindow++;
        c.mib.increment(MibCounter.TCP_CHALLENGE_ACK);
        c.ackNow = true;
    }

    /**
     * A pure ACK the network delivered behind a later segment of the same peer: Linux sends an ACK
     * from one CPU's queue and its next segment from another's, and the later one can arrive
     * first. It carries no data, SYN or FIN, it acknowledges nothing beyond SND.UNA (sent before
     * the segments that moved SND.UNA, it acknowledges at most as much), and its sequence number
     * is not beyond RCV.NXT nor further back than one receive buffer (data the peer sent after
     * it). Such an ACK fails PAWS when its TSval is older than TS.Recent ({@link #disorderedAck}),
     * and the acceptability test when it is behind RCV.NXT with the same TSval.
     */
    private static boolean overtakenAck(TcpConnection c, TcpSegment seg) {
        if (c.state == TcpState.SYN_RECEIVED || !seg.has(TcpFlags.ACK) || seg.has(TcpFlags.RST)
                || seg.segmentLength() != 0) {
            return false;
        }
        int behind = Seq32.diff(c.rcvNxt(), seg.seq());
        return Seq32.le(seg.ack(), c.sndUna) && behind >= 0 && behind <= c.receiveBuffer.capacity();
    }

    /**
     * An overtaken pure ACK that fails PAWS only for its place: its TSval is older than TS.Recent
     * by at most one RTO (Linux tcp_disordered_ack allows {@code rto * 1024 / HZ} ticks; TSvals
     * tick in milliseconds here and at Linux peers, RFC 7323 5.4). PAWS guards against a segment
     * of an earlier wrap of the sequence space (RFC 7323 5.1), which is far older than one RTO.
     */
    private static boolean disorderedAck(TcpConnection c, TcpSegment seg, int tsVal) {
        return overtakenAck(c, seg) && Seq32.diff(c.tsRecent, tsVal) <= c.rtt.rtoNanos() / 1_000_000L;
    }

    /**
     * What an overtaken ACK says of TCP is stale (an ACK no higher than SND.UNA, an older window:
     * RFC 9293's window update rule would skip it too) and is ignored, counted under
     * {@code counter}. Linux drops one that lies behind RCV.NXT (PAWS: TcpExtPAWSOldAck; with an
     * equal TSval, tcp_sequence once our ACK moved the window's left edge past it), and takes one
     * at RCV.NXT only as a duplicate ACK that moves no window (tcp_disordered_ack). What it
     * carries for the extension is not stale: MPTCP sends MP_PRIO, ADD_ADDR and REMOVE_ADDR on
     * pure ACKs, once (RFC 8684 sections 3.3.8, 3.4), and a DATA_ACK only ever moves the data
     * level forward. Those go to the extension, which may still refuse the segment.
     */
    private static void onOvertakenAck(TcpConnection c, TcpSegment seg, MibCounter counter) {
        c.mib.increment(counter);
        if (!c.extension.onSegmentReceived(c, seg)) {
            c.mib.increment(MibCounter.TCP_EXTENSION_REJECT);
            c.queueRst(c.sndNxt, 0, false);
            c.fail(TcpError.PROTOCOL_ERROR);
        }
    }

    // ================================================================= ACK

    /** The fifth check for synchronized states; false when the segment is to be dropped. */
    private static boolean processAck(TcpConnection c, long nowNanos, TcpSegment seg, int tsEcr,
            int wndShift) {
        int ack = seg.ack();
        if (Seq32.gt(ack, c.sndNxt)) {
            // "If the ACK acks something not yet sent, then send an ACK, drop the segment".
            c.mib.increment(MibCounter.TCP_ACK_TOO_NEW);
            c.ackNow = true;
            return false;
        }
        if (Seq32.lt(ack, Seq32.add(c.sndUna, (int) -Math.min(c.maxSndWnd, Integer.MAX_VALUE)))) {
            // RFC 5961 5.2: older than SND.UNA - MAX.SND.WND: challenge ACK and drop.
            c.mib.increment(MibCounter.TCP_ACK_TOO_OLD);
            challengeAck(c, nowNanos);
            return false;
        }
        long priorInFlight = c.bytesInFlight();
        long oldWnd = c.sndWnd;
        // Window update (RFC 9293 3.10.7.4, ESTABLISHED): only from segments not older than the last update.
        if (Seq32.le(c.sndUna, ack)
                && (Seq32.lt(c.sndWl1, seg.seq()) || (c.sndWl1 == seg.seq() && Seq32.le(c.sndWl2, ack)))) {
            c.sndWnd = (long) seg.window() << wndShift;
            c.sndWl1 = seg.seq();
            c.sndWl2 = ack;
            c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
        }
        RetransmitQueue q = c.retransmitQueue;
        boolean hadOutstanding = !q.isEmpty();
        q.beginAck(nowNanos, c.rtt.minRttNanos());
        long newlySacked = 0;
        if (c.sackOk) {
            TcpOption.Sack sack = sack(seg);
            if (sack != null) {
                newlySacked = c.recovery.onSackOption(sack.blocks(), ack);
            }
        }
        int acked = Seq32.gt(ack, c.sndUna) ? Seq32.diff(ack, c.sndUna) : 0;
        if (acked > 0) {
            onNewAck(c, ack);
        }
        long sample = rttSample(c, nowNanos, tsEcr, acked > 0);
        if (sample != AckEvent.NO_SAMPLE) {
            c.rtt.onSample(sample);
        }
        if (acked > 0) {
            // RFC 6298 (5.2), (5.3): with the new sample in the RTO.
            if (q.isEmpty()) {
                c.timers.stop(Timer.RETRANSMIT);
            } else {
                c.timers.set(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
            }
        }
        // A duplicate ACK: RFC 6675 section 2 with SACK (it SACKs new data, whatever else it does),
        // RFC 5681 section 2 without (no data, no SYN/FIN, same ACK and window, data outstanding).
        boolean dupAck = c.sackOk ? newlySacked > 0
                : acked == 0 && hadOutstanding && seg.payloadLength() == 0 && !seg.has(TcpFlags.FIN)
                        && c.sndWnd == oldWnd;
        c.recovery.onAck(nowNanos, ack, acked, newlySacked, dupAck, tsEcr);
        if (acked > 0 && c.cc != null) {
            boolean cwndLimited = c.cwndLimited || priorInFlight + c.sndMss >= c.cc.windowBytes();
            if (c.smallQueues) {
                // Linux tcp_is_cwnd_limited: the round's use of the window, and in slow start growth
                // until the window is twice the round's peak flight.
                long cwnd = c.cc.windowBytes();
                cwndLimited |= c.roundCwndLimited || cwnd < c.cc.ssthreshBytes() && cwnd < 2 * c.roundMaxInFlight;
            }
            c.cc.onAck(new AckEvent(nowNanos, acked, sample, c.rtt.srttNanos(), c.rtt.minRttNanos(),
                    priorInFlight, c.recovery.inRecovery(), cwndLimited));
            c.cwndLimited = false;
        }
        if (acked > 0 && c.writeBlocked && c.sendBuffer.freeSpace() >= Math.max(c.sendBuffer.capacity() / 4, 1)) {
            c.writeBlocked = false;
            c.events.onWritable(c);
        }
        if (c.sndWnd == 0 && ack == c.sndUna) {
            // RFC 9293 3.8.6.1: never give up on a peer that keeps acknowledging with a zero window;
            // timeouts while the window is closed are probes, not failures.
            c.rtoRetries = 0;
        }
        if (c.sndWnd > 0 && c.timers.isRunning(Timer.PERSIST)) {
            c.timers.stop(Timer.PERSIST);
            c.persistBackoff = 0;
            c.rtoRetries = 0; // it counted unanswered window probes
        }
        boolean finAcked = c.finSent && Seq32.gt(c.sndUna, c.finSeq);
        switch (c.state) {
            case FIN_WAIT_1 -> {
                if (finAcked) {
                    c.setState(TcpState.FIN_WAIT_2);
                    if (c.orphaned) {
                        c.timers.set(Timer.TIME_WAIT, nowNanos + c.config.timeWaitNanos());
                    }
                }
            }
            case CLOSING -> {
                if (finAcked) {
                    c.enterTimeWait(nowNanos);
                }
            }
            case LAST_ACK -> {
                if (finAcked) {
                    c.enterClosed();
                    return false;
                }
            }
            case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_2, CLOSE_WAIT, TIME_WAIT -> { }
        }
        return true;
    }

    /** New data acknowledged up to {@code ack}: the scoreboard and the send buffer let go of it. */
    private static void onNewAck(TcpConnection c, int ack) {
        int acked = Seq32.diff(ack, c.sndUna);
        c.retransmitQueue.ackTo(ack);
        int dataEnd = Seq32.add(c.bufSeq, c.sendBuffer.length());
        int release = Seq32.diff(Seq32.min(ack, dataEnd), c.bufSeq);
        if (release > 0) {
            // bufSeq first: a queue of references (MPTCP) looks its bytes up from it as it lets go.
            c.bufSeq = Seq32.add(c.bufSeq, release);
            c.sendBuffer.release(release);
        }
        c.sndUna = ack;
        c.bytesAcked += acked;
        c.rtoRetries = 0;
    }

    /**
     * The RTT sample this ACK gives, or {@link AckEvent#NO_SAMPLE}: the newest segment it
     * acknowledged cumulatively that was sent once (RFC 6298 with Karn's rule), else the newest it
     * SACKed (Linux's SACK RTT, also on an ACK that does not advance), else, for new data, the
     * timestamp echo (RFC 7323 4.1, which also times retransmitted data).
     */
    private static long rttSample(TcpConnection c, long nowNanos, int tsEcr, boolean advanced) {
        RetransmitQueue q = c.retransmitQueue;
        if (advanced && q.rttSentNanos() >= 0 && !q.ackedRetransmitted()) {
            return nowNanos - q.rttSentNanos();
        }
        if (q.sackRttSentNanos() >= 0) {
            return nowNanos - q.sackRttSentNanos();
        }
        if (advanced && tsEcr != 0) {
            int ms = Seq32.diff(TcpOutput.tsClock(c, nowNanos), tsEcr);
            if (ms >= 0 && ms < 600_000) {
                return ms * 1_000_000L;
            }
        }
        return AckEvent.NO_SAMPLE;
    }

    // ================================================================= payload and FIN

    /** Seventh check: queue the data; returns true when the tail (and so any FIN) was cut off. */
    private static boolean processPayload(TcpConnection c, long nowNanos, TcpSegment seg) {
        if (c.peerFinReceived) {
            return true;
        }
        ByteBuffer data = seg.payload();
        int seq = seg.seq();
        int len = data.remaining();
        int pos = data.position();
        int rcvNxt = c.receiveBuffer.rcvNxt();
        int skip = Seq32.diff(rcvNxt, seq);
        if (skip > 0) {
            if (c.sackOk) {
                // RFC 2883 section 4: the part already received is reported as a D-SACK.
                c.receiveBuffer.noteDuplicate(seq, Seq32.add(seq, Math.min(skip, len)));
                c.mib.increment(MibCounter.TCP_DSACK_OLD_SENT);
            }
            c.ackNow = true; // a duplicate, whole or in part: ACK at once so the sender learns (RFC 5681 4.2)
            if (skip >= len) {
                return false;
            }
            pos += skip;
            len -= skip;
            seq = rcvNxt;
        }
        int room = Seq32.diff(c.rcvAdvRight, seq);
        boolean trimmed = false;
        if (room <= 0) {
            c.mib.increment(MibCounter.TCP_ZERO_WINDOW_DROP);
            c.ackNow = true;
            return true;
        }
        if (len > room) {
            len = room;
            trimmed = true;
        }
        if (c.orphaned) {
            // RFC 9293 3.10.7.4 (via RFC 2525): nobody will read it; reset (Linux TCPAbortOnData).
            c.mib.increment(MibCounter.TCP_ABORT_ON_DATA);
            c.queueRst(c.sndNxt, 0, false);
            c.fail(TcpError.ABORTED_LOCALLY);
            return true;
        }
        boolean hadHoles = c.receiveBuffer.hasOutOfOrder();
        // In order with nothing held, for an extension that takes the data (MPTCP, whose connection
        // reorders by data sequence number): the bytes go up straight from the segment, as Linux
        // moves in-order skbs from the subflow to the MPTCP socket; the subflow's ring is skipped.
        boolean direct = !hadHoles && seq == c.receiveBuffer.rcvNxt() && c.receiveBuffer.readable() == 0
                && c.extension.takesReceivedData();
        int advanced = direct ? c.receiveBuffer.skipInOrder(len) : c.receiveBuffer.accept(seq, data.slice(pos, len));
        if (advanced == 0) {
            c.mib.increment(MibCounter.TCP_OFO_QUEUE);
            c.ackNow = true; // RFC 5681 4.2: an out-of-order segment is ACKed at once
            return trimmed;
        }
        c.bytesReceived += advanced;
        // Linux rcv_mss: the largest segment the peer sends, at most what we announced less the
        // timestamps; a receive-offload super-segment counts as the full-sized segments it holds.
        int fullSized = c.config.mss() - (c.tsOk ? TcpConnection.TIMESTAMPS_ALIGNED : 0);
        if (len < c.rcvMss || seg.has(TcpFlags.PSH)) {
            // Linux tcp_measure_rcv_mss sets ICSK_ACK_PUSHED for a segment shorter than rcv_mss,
            // and for one of at least rcv_mss with PSH (the end of the sender's write).
            c.pushedSinceAck = true;
        }
        c.rcvMss = Math.max(c.rcvMss, Math.min(len, fullSized));
        c.bytesSinceAck += len;
        if (hadHoles) {
            c.ackNow = true; // it filled (part of) a hole
        } else if (c.bytesSinceAck >= 2 * c.rcvMss) {
            c.ackNow = true; // RFC 5681 4.2: an ACK for at least every second full-sized segment
        } else {
            c.timers.setIfStopped(Timer.DELAYED_ACK, nowNanos + c.config.delayedAckNanos());
        }
        if (direct) {
            c.onDataConsumed(nowNanos, len);
            // The segment's own payload when all of it goes up (nearly always): no view made.
            c.extension.onDataReceived(c, nowNanos, seq, len == data.remaining() ? data : data.slice(pos, len));
        } else {
            deliver(c, nowNanos, Seq32.add(c.receiveBuffer.rcvNxt(), -c.receiveBuffer.readable()));
        }
        return trimmed;
    }

    private static void deliver(TcpConnection c, long nowNanos, int firstSeq) {
        if (c.extension.takesReceivedData()) {
            // One scratch array per connection, reused: the extension copies what it keeps.
            int n = c.receiveBuffer.readable();
            if (c.deliverScratch.length < n) {
                c.deliverScratch = new byte[Math.max(n, 2 * c.deliverScratch.length)];
            }
            ByteBuffer chunk = ByteBuffer.wrap(c.deliverScratch, 0, n);
            c.receiveBuffer.read(chunk);
            chunk.flip();
            c.onDataConsumed(nowNanos, chunk.remaining());
            c.extension.onDataReceived(c, nowNanos, firstSeq, chunk);
        } else if (!c.readableSignaled) {
            c.readableSignaled = true;
            c.events.onReadable(c);
        }
    }

    private static void processFin(TcpConnection c, long nowNanos, int finSeqIn) {
        switch (c.state) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
                int rcvNxt = c.receiveBuffer.rcvNxt();
                if (c.peerFinReceived || Seq32.lt(finSeqIn, rcvNxt)) {
                    c.ackNow = true;
                } else if (finSeqIn == rcvNxt) {
                    onPeerFin(c, nowNanos);
                } else {
                    c.peerFinPending = true;
                    c.peerFinSeq = finSeqIn;
                    c.ackNow = true;
                }
            }
            // "FIN implies PUSH ... Remain in the state" and acknowledge it again.
            case CLOSE_WAIT, CLOSING, LAST_ACK -> c.ackNow = true;
            // "Acknowledge it, and restart the 2 MSL timeout".
            case TIME_WAIT -> {
                c.ackNow = true;
                c.timers.set(Timer.TIME_WAIT, nowNanos + c.config.timeWaitNanos());
            }
            case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED -> { }
        }
    }

    private static void onPeerFin(TcpConnection c, long nowNanos) {
        c.peerFinReceived = true;
        c.peerFinPending = false;
        c.ackNow = true;
        c.timers.stop(Timer.DELAYED_ACK);
        c.events.onPeerFin(c);
        if (!c.readableSignaled && !c.extension.takesReceivedData()) {
            c.readableSignaled = true;
            c.events.onReadable(c);
        }
        switch (c.state) {
            case SYN_RECEIVED, ESTABLISHED -> c.setState(TcpState.CLOSE_WAIT);
            case FIN_WAIT_1 -> c.setState(TcpState.CLOSING);
            case FIN_WAIT_2 -> c.enterTimeWait(nowNanos);
            case CLOSED, LISTEN, SYN_SENT, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> { }
        }
    }

    // ================================================================= option lookup

    // Indexed loops over the segment's (random-access, immutable) option list: a for-each made an
    // iterator per segment and lookup, which escape analysis did not remove on this path.

    private static TcpOption.Sack sack(TcpSegment seg) {
        List<TcpOption> options = seg.options();
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i) instanceof TcpOption.Sack s) {
                return s;
            }
        }
        return null;
    }
}
