package org.mptcp4j.tcp;

import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.OutgoingSegment;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpOptions;

/**
 * Segment departure for one {@link TcpConnection}, built on demand when the driver polls (smoltcp
 * {@code dispatch}). Priority: a pending RST, ACKs owed from earlier arrivals, the SYN or SYN-ACK,
 * a tail loss probe, retransmissions of lost segments (RFC 6675 NextSeg rule 1), new data within
 * the send and congestion windows (with sender-side SWS avoidance and optional Nagle), the FIN,
 * window or keepalive probes, a pure ACK.
 *
 * <p>Every segment's options are planned before its payload is cut (RFC 6691; Linux
 * {@code tcp_current_mss}): timestamps, then the extension's options (MPTCP takes precedence over
 * SACK, as in Linux), then as many SACK blocks as the room left holds; the payload is what the MSS
 * leaves after them, so no segment outgrows the path MTU.
 * Linux: {@code tcp_write_xmit}, {@code tcp_xmit_retransmit_queue}, {@code tcp_send_ack}.
 */
final class TcpOutput {
    private TcpOutput() {}

    /** The timestamp clock: milliseconds (RFC 7323 5.4 allows 1 ms to 1 s per tick) plus a per-connection offset. */
    static int tsClock(TcpConnection c, long nowNanos) {
        return (int) (nowNanos / 1_000_000L) + c.tsOffset;
    }

    /** The segment to send now, or null; the connection's {@link TcpConnection#outgoing} but for an owed ACK. */
    static OutgoingSegment poll(TcpConnection c, long nowNanos) {
        if (c.rstPending) {
            return rst(c);
        }
        if (!c.owedAcks.isEmpty()) {
            return c.owedAcks.poll();
        }
        return switch (c.state) {
            case CLOSED, LISTEN -> null;
            case SYN_SENT -> c.synNeeded ? syn(c, nowNanos, false) : null;
            case SYN_RECEIVED -> c.synNeeded || c.ackNow ? syn(c, nowNanos, true) : null;
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT ->
                    pollSynchronized(c, nowNanos);
        };
    }

    private static OutgoingSegment pollSynchronized(TcpConnection c, long nowNanos) {
        OutgoingSegment s = null;
        if (c.recovery.probePending) {
            s = lossProbe(c, nowNanos);
        }
        if (s == null) {
            s = retransmit(c, nowNanos);
        }
        if (s == null) {
            s = sendNew(c, nowNanos, false);
        }
        if (s == null && (c.probeNow || c.persistFired)) {
            s = probe(c, nowNanos);
        }
        if (s == null && c.ackNow) {
            s = build(c, c.outgoing, nowNanos, c.sndNxt, TcpFlags.ACK, 0, 0);
        }
        return s;
    }

    // ================================================================= handshake and reset

    private static OutgoingSegment syn(TcpConnection c, long nowNanos, boolean withAck) {
        List<TcpOption> options = new ArrayList<>(5);
        // Linux's order and alignment: MSS, SACK-permitted, timestamps, NOP + window scale.
        options.add(new TcpOption.Mss(c.extension.advertisedMss(c, c.config.mss())));
        if (c.sackOk) {
            options.add(new TcpOption.SackPermitted());
        }
        if (c.tsOk) {
            options.add(new TcpOption.Timestamps(tsClock(c, nowNanos), withAck ? c.tsRecent : 0));
        }
        if (c.wsOk) {
            options.add(new TcpOption.WindowScale(c.config.receiveWindowShift()));
        }
        int flags = TcpFlags.SYN | (withAck ? TcpFlags.ACK : 0);
        int ack = withAck ? c.rcvNxt() : 0;
        // RFC 7323 2.2: "The window field in a SYN ... segment itself is never scaled."
        int window = Math.min(c.receiveBuffer.freeSpace(), 65535);
        OutgoingSegment seg = c.outgoing;
        seg.start(c.local.getPort(), c.remote.getPort(), c.iss, ack, flags, window);
        for (TcpOption o : options) {
            seg.add(o);
        }
        addExtensionOptions(c, seg, TcpOptions.layoutLength(options));
        if (c.sndNxt == c.iss) {
            c.sndNxt = Seq32.add(c.iss, 1);
            c.synSentNanos = nowNanos;
        } else {
            // Whatever made us resend it (timeout, the peer's duplicate SYN), Karn's rule applies.
            c.synRetransmitted = true;
            c.retransmits++;
            c.mib.increment(MibCounter.TCP_RETRANS_SEGS);
        }
        c.synNeeded = false;
        c.ackNow = false;
        if (withAck) {
            c.lastAckSent = ack;
        }
        // RFC 6298 (5.1): start the timer only "if the timer is not running" (it was stopped when it
        // fired): a SYN-ACK resent for the peer's duplicate SYN must not postpone the timeout.
        c.timers.setIfStopped(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
        countOut(c);
        return seg;
    }

    private static OutgoingSegment rst(TcpConnection c) {
        c.rstPending = false;
        c.mib.increment(MibCounter.TCP_OUT_RSTS);
        countOut(c);
        int flags = TcpFlags.RST | (c.rstWithAck ? TcpFlags.ACK : 0);
        OutgoingSegment seg = c.outgoing;
        seg.start(c.local.getPort(), c.remote.getPort(), c.rstSeq, c.rstWithAck ? c.rstAck : 0, flags, 0);
        if (c.extension != SubflowExtension.PLAIN) {
            c.extension.writeResetOptions(c, TcpConnection.MAX_OPTION_BYTES, seg);
        }
        return seg;
    }

    // ================================================================= data

    private static OutgoingSegment retransmit(TcpConnection c, long nowNanos) {
        RetransmitQueue q = c.retransmitQueue;
        if (q.isEmpty() || c.cc == null) {
            return null;
        }
        int pos = q.nextToRetransmit();
        if (pos < 0) {
            return null;
        }
        long pipe = c.bytesInFlight();
        if (pipe > 0 && pipe + Math.min(q.len(pos), c.sndMss) > c.cc.windowBytes()
                && !c.recovery.mayRetransmitBeyondCwnd(pos)) {
            c.cwndLimited = true;
            return null;
        }
        if (smallQueueFull(c, 1)) {
            c.tsqThrottled = true;
            return null;
        }
        c.mib.increment(c.recovery.state == LossRecovery.CaState.LOSS ? MibCounter.TCP_SLOW_START_RETRANS
                : MibCounter.TCP_FAST_RETRANS);
        if (pos == 0) {
            // Linux tcp_xmit_retransmit_queue: resending the head restarts the RTO at its current
            // value. Without it, a timer armed with a backed-off RTO (an ACK of retransmitted data
            // gives no sample, RFC 6298 Karn) outlived the samples that shrank the RTO since, and
            // a lost retransmission of the head waited for it (a handover test: 1.3 s where the
            // RTO had fallen to 0.22 s).
            c.timers.set(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
        }
        return resend(c, nowNanos, pos, false);
    }

    /**
     * Sends the segment at {@code pos} again, cut to what the MSS leaves beside this segment's
     * options (the rest stays queued as its own segment).
     */
    private static OutgoingSegment resend(TcpConnection c, long nowNanos, int pos, boolean tail) {
        RetransmitQueue q = c.retransmitQueue;
        int room = planOptions(c, true);
        boolean fin = q.isFin(pos);
        int dataLen = q.len(pos) - (fin ? 1 : 0);
        if (dataLen > room) {
            // A tail probe resends the highest sequence numbers (RFC 8985 7.3); anything else its start.
            int first = tail ? dataLen - room : room;
            q.split(pos, first);
            if (tail) {
                pos++;
            }
            fin = q.isFin(pos);
            dataLen = q.len(pos) - (fin ? 1 : 0);
        }
        int seq = q.seq(pos);
        q.onRetransmitted(pos, nowNanos);
        c.retransmits++;
        c.bytesRetrans += dataLen;
        c.lastSendNanos = nowNanos;
        c.mib.increment(MibCounter.TCP_RETRANS_SEGS);
        if (!tail) {
            c.recovery.onRetransmit(nowNanos, tsClock(c, nowNanos));
        }
        c.timers.setIfStopped(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
        c.cc.onPacketSent(nowNanos, dataLen + (fin ? 1 : 0), c.bytesInFlight());
        return dataSegment(c, nowNanos, seq, dataLen, fin);
    }

    /**
     * RFC 8985 section 7.3: the probe timer fired. Send one segment of new data if the receive
     * window allows (the congestion window does not matter), else resend the last segment.
     */
    private static OutgoingSegment lossProbe(TcpConnection c, long nowNanos) {
        RetransmitQueue q = c.retransmitQueue;
        if (q.isEmpty() || c.cc == null) {
            c.recovery.probePending = false;
            return null;
        }
        OutgoingSegment s = sendNew(c, nowNanos, true);
        boolean retransmission = s == null;
        if (s == null) {
            s = resend(c, nowNanos, q.size() - 1, true);
        }
        c.recovery.onProbeSent(nowNanos, retransmission);
        return s;
    }

    /** New data (or the FIN) within the windows; {@code probe} ignores the congestion window. */
    private static OutgoingSegment sendNew(TcpConnection c, long nowNanos, boolean probe) {
        if (c.cc == null || c.state == TcpState.TIME_WAIT) {
            return null;
        }
        int unsentOffset = Seq32.diff(c.sndNxt, c.bufSeq);
        int avail = c.sendBuffer.length() - unsentOffset;
        long inFlightSeq = Seq32.diff(c.sndNxt, c.sndUna);
        long windowRoom = c.sndWnd - inFlightSeq;
        // RFC 3042 limited transmit: without SACK, each of the first two duplicate ACKs lets one
        // new segment out beyond the congestion window (with SACK, pipe already accounts for them).
        long cwnd = c.cc.windowBytes() + (probe ? c.sndMss : limitedTransmitBytes(c));
        long pipe = c.bytesInFlight();
        if (!probe && deferForOffload(c, nowNanos, windowRoom, cwnd - pipe, avail)) {
            return null;
        }
        if (!probe && cwnd > pipe && smallQueueFull(c, 0)) {
            c.tsqThrottled = true; // not cwnd-limited: the device, not the window, holds the data back
            validateCwnd(c, false);
            return null;
        }
        if (avail <= 0 && !c.finQueued && windowRoom > 0 && cwnd > pipe && c.extension != SubflowExtension.PLAIN) {
            avail += pullSendData(c, nowNanos, Math.min(Math.min(windowRoom, cwnd - pipe), c.sendBuffer.freeSpace()),
                    pipe);
        }
        if (avail > 0) {
            int len = Math.min(avail, c.sndMss);
            if (c.extension != SubflowExtension.PLAIN) {
                len = Math.max(1, c.extension.segmentLimit(c, c.sndNxt, len));
            }
            if (windowRoom < len) {
                // RFC 9293 3.8.6.2.1: sender-side SWS avoidance; the persist timer overrides it.
                boolean sws = windowRoom < c.sndMss && windowRoom < c.maxSndWnd / 2;
                if (windowRoom <= 0 || (sws && !c.persistFired)) {
                    armPersist(c, nowNanos);
                    return null;
                }
                if (sws) {
                    c.mib.increment(MibCounter.TCP_WIN_PROBE); // the persist timer's probe, with data (Linux tcp_write_wakeup)
                }
                len = (int) windowRoom;
            }
            if (pipe > 0 && pipe + len > cwnd) {
                c.cwndLimited = true;
                validateCwnd(c, true);
                return null;
            }
            boolean carriesFin = c.finQueued && len == avail;
            // RFC 9293 3.7.4: hold a small segment while data is unacknowledged. Small is below the
            // payload a full segment carries beside this connection's options (Linux measures against
            // tcp_current_mss): an MPTCP subflow's full segment leaves room for the DSS, and against
            // the bare MSS every one of them was held, two per round trip.
            if (c.nagle && len < dataMss(c) && !c.retransmitQueue.isEmpty() && !carriesFin) {
                return null;
            }
            int piece = planOptions(c, true);
            len = Math.min(len, piece);
            int total = probe ? len : offloadLength(c, len, piece, avail, windowRoom, cwnd - pipe);
            boolean fin = c.finQueued && total == avail;
            int seq = c.sndNxt;
            if (c.retransmitQueue.isEmpty() && c.lastSendNanos != Long.MIN_VALUE) {
                c.cc.onTransmitStart(nowNanos, nowNanos - c.lastSendNanos, c.rtt.rtoNanos());
            }
            // One retransmission-queue entry per piece the device cuts: loss recovery, SACK and
            // RACK see the segments the wire sees.
            for (int off = 0; off < total; off += piece) {
                int n = Math.min(piece, total - off);
                boolean pieceFin = fin && off + n == total;
                c.retransmitQueue.add(Seq32.add(seq, off), n + (pieceFin ? 1 : 0), false, pieceFin, nowNanos);
                c.cc.onPacketSent(nowNanos, n, c.bytesInFlight());
            }
            c.gsoSize = total > piece ? piece : 0;
            c.sndNxt = Seq32.add(seq, total + (fin ? 1 : 0));
            if (fin) {
                c.finSent = true;
                c.finSeq = Seq32.add(seq, total);
            }
            c.bytesSent += total;
            if (c.smallQueues) {
                validateCwnd(c, c.bytesInFlight() + c.sndMss > cwnd);
            }
            c.lastSendNanos = nowNanos;
            c.persistFired = false;
            c.timers.stop(Timer.PERSIST);
            c.timers.setIfStopped(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
            if (!probe) {
                c.recovery.scheduleProbe(nowNanos);
            }
            return dataSegment(c, nowNanos, seq, total, fin);
        }
        if (c.finQueued && !c.finSent) {
            int seq = c.sndNxt;
            c.retransmitQueue.add(seq, 1, false, true, nowNanos);
            c.sndNxt = Seq32.add(seq, 1);
            c.finSent = true;
            c.finSeq = seq;
            c.lastSendNanos = nowNanos;
            c.timers.setIfStopped(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
            planOptions(c, false);
            return dataSegment(c, nowNanos, seq, 0, true);
        }
        return null;
    }

    /**
     * The payload of a segment the device cuts into pieces of {@code piece} bytes (segmentation
     * offload), given that one full piece ({@code len}) may go: as many whole pieces as the send
     * and congestion windows, the data at hand, the device's limit and the extension (a mapping's
     * end, for MPTCP) allow; a shorter last piece only when it ends the data at hand. The FIN
     * never rides on such a segment (it goes on its own piece-sized segment or alone). Returns
     * {@code len} when offload is off or not worth it.
     */
    private static int offloadLength(TcpConnection c, int len, int piece, int avail, long windowRoom, long cwndRoom) {
        if (c.gsoMaxBytes < 2 * piece || len < piece || avail < 2 * piece
                || c.extension != SubflowExtension.PLAIN && !c.extension.allowsSegmentationOffload(c)) {
            return len;
        }
        long room = Math.min(Math.min(avail, windowRoom), Math.min(offloadGoal(c, piece), Math.max(cwndRoom, piece)));
        int total = (int) (room / piece * piece);
        if (room == avail && avail % piece != 0 && !c.finQueued) {
            total = avail; // the last piece may be shorter, as with any TSO segment
        }
        if (c.extension != SubflowExtension.PLAIN) {
            int limited = c.extension.segmentLimit(c, c.sndNxt, total);
            if (limited < total) {
                total = limited == avail && !c.finQueued ? limited : limited / piece * piece;
            }
        }
        if (c.finQueued && total == avail) {
            total -= avail % piece == 0 ? piece : avail % piece;
        }
        return total >= 2 * piece ? total : len;
    }

    /** Linux {@code tcp_tso_win_divisor}: a send of a third of the window goes without waiting. */
    private static final int OFFLOAD_WINDOW_DIVISOR = 3;

    /** Linux's jiffy at {@code HZ=1000}: a deferral lasts at most until the clock ticks past the last send. */
    private static final long JIFFY_NANOS = 1_000_000L;

    /**
     * Whether new data waits for the next ACK so that one larger offloaded segment goes instead of
     * several small ones (Linux {@code tcp_tso_should_defer}). Only with segmentation offload on,
     * outside loss recovery, within the clock tick of the last send, while the windows let out less
     * than the offload goal and less than a third of the window, and while the oldest segment in
     * flight is at least half an RTT old, so that its ACK is due soon. A FIN that fits goes at once.
     */
    private static boolean deferForOffload(TcpConnection c, long nowNanos, long windowRoom, long cwndRoom, int avail) {
        int piece = c.sndMss;
        if (c.gsoMaxBytes < 2 * piece || c.recovery.state != LossRecovery.CaState.OPEN || c.retransmitQueue.isEmpty()
                || c.lastSendNanos == Long.MIN_VALUE || nowNanos / JIFFY_NANOS != c.lastSendNanos / JIFFY_NANOS) {
            return false;
        }
        long limit = Math.min(windowRoom, cwndRoom);
        if (limit >= offloadGoal(c, piece)
                || limit >= Math.min(c.sndWnd, c.cc.windowBytes()) / OFFLOAD_WINDOW_DIVISOR
                || nowNanos - c.retransmitQueue.sentNanos(0) < c.rtt.srttNanos() / 2
                || c.finQueued && avail <= limit) {
            return false;
        }
        if (cwndRoom < windowRoom) {
            c.cwndLimited = true; // waiting for the congestion window counts as using it (RFC 7661)
        }
        return true;
    }

    /**
     * Linux {@code tcp_cwnd_validate}, under TCP Small Queues only: a round trip counts as
     * window-limited if the window stopped the sender at any point of it, and its peak of bytes in
     * flight is kept. A new round starts once the last one's data is acknowledged, or earlier when
     * the window limits now or the flight grows past the peak of a round that was not limited.
     */
    private static void validateCwnd(TcpConnection c, boolean limited) {
        if (!c.smallQueues) {
            return;
        }
        long inFlight = c.bytesInFlight();
        if (Seq32.diff(c.sndUna, c.cwndUsageSeq) >= 0 || limited
                || !c.roundCwndLimited && inFlight > c.roundMaxInFlight) {
            c.roundCwndLimited = limited;
            c.roundMaxInFlight = inFlight;
            c.cwndUsageSeq = c.sndNxt;
        }
    }

    /** Linux {@code tcp_limit_output_bytes} (4 MiB since Linux 6.16): the most TCP Small Queues lets into the device. */
    static final long LIMIT_OUTPUT_BYTES = 4L << 20;

    /**
     * TCP Small Queues (Linux {@code tcp_small_queue_check}): whether the device holds more of this
     * connection's data than two segments of the size it sends now, or a millisecond at its pacing
     * rate if that is more, at most {@link #LIMIT_OUTPUT_BYTES}; the limit doubles for
     * retransmissions ({@code factor} 1). Never with nothing in flight, so nothing can wait for a
     * departure that will not come. Linux counts each packet's true size; this counts payload.
     */
    static boolean smallQueueFull(TcpConnection c, int factor) {
        if (!c.smallQueues || c.deviceBytes <= 0 || c.retransmitQueue.isEmpty() || c.cc == null) {
            return false;
        }
        int piece = c.sndMss;
        double rate = pacingRate(c, piece);
        long segment = c.gsoMaxBytes >= 2 * piece ? offloadGoal(c, piece, rate) : piece;
        long limit = Math.min(Math.max(2 * segment, (long) (rate / 1024)), LIMIT_OUTPUT_BYTES);
        return c.deviceBytes > limit << factor;
    }

    /**
     * The rate Linux would pace at, bytes per second ({@code tcp_update_pacing_rate}): twice the
     * congestion window per smoothed RTT in slow start, 1.2 times after; 0 before an RTT sample.
     */
    private static double pacingRate(TcpConnection c, int piece) {
        long srtt = c.rtt.srttNanos();
        if (srtt == 0) {
            return 0;
        }
        long packets = Math.max(c.cc.windowBytes() / piece, c.retransmitQueue.size());
        int percent = c.cc.windowBytes() < c.cc.ssthreshBytes() / 2 ? 200 : 120;
        return (double) piece * packets * percent / 100 * 1e9 / srtt;
    }

    /**
     * The size of one offloaded segment (Linux {@code tcp_tso_autosize}): about a millisecond at
     * the rate Linux would pace at ({@link #pacingRate}), plus up to the whole offload size on
     * paths whose minimum RTT is under 16 ms, shrinking as it grows; at least two pieces, at most
     * the device's limit.
     */
    static int offloadGoal(TcpConnection c, int piece) {
        return offloadGoal(c, piece, pacingRate(c, piece));
    }

    /** {@link #offloadGoal(TcpConnection, int)} at a pacing rate already worked out. */
    private static int offloadGoal(TcpConnection c, int piece, double pacingRate) {
        if (c.rtt.srttNanos() == 0) {
            return c.gsoMaxBytes;
        }
        long bytes = (long) (pacingRate / 1024);
        long shift = c.rtt.minRttNanos() / 1000 >> 9;
        if (shift < 32) {
            bytes += 65536L >> shift;
        }
        bytes = Math.min(bytes, c.gsoMaxBytes);
        return (int) Math.max(bytes / piece, 2) * piece;
    }

    private static long limitedTransmitBytes(TcpConnection c) {
        LossRecovery r = c.recovery;
        return !c.sackOk && r.state == LossRecovery.CaState.OPEN && r.dupAcks > 0 && r.dupAcks < LossRecovery.DUP_THRESH
                ? (long) r.dupAcks * c.sndMss : 0;
    }

    /**
     * Asks the extension for connection-level data (MPTCP's scheduler). Only whole segments are
     * asked for while data is in flight, so the rest of a congestion window never leaves as a runt;
     * with nothing in flight whatever the windows allow is taken, or the connection would stall.
     */
    private static int pullSendData(TcpConnection c, long nowNanos, long allowance, long pipe) {
        int unit = dataMss(c);
        long ask = allowance / unit * unit;
        if (ask == 0 && pipe == 0) {
            ask = allowance;
        }
        return ask <= 0 ? 0 : c.extension.pullSendData(c, nowNanos, (int) Math.min(ask, Integer.MAX_VALUE));
    }

    private static void armPersist(TcpConnection c, long nowNanos) {
        if (c.retransmitQueue.isEmpty() && !c.timers.isRunning(Timer.RETRANSMIT)) {
            c.timers.setIfStopped(Timer.PERSIST, nowNanos + c.persistIntervalNanos());
        }
    }

    /** A zero-window or keepalive probe: one sequence number below SND.UNA, which the peer must ACK. */
    private static OutgoingSegment probe(TcpConnection c, long nowNanos) {
        if (c.persistFired) {
            c.mib.increment(MibCounter.TCP_WIN_PROBE);
        }
        c.probeNow = false;
        c.persistFired = false;
        return build(c, c.outgoing, nowNanos, Seq32.add(c.sndUna, -1), TcpFlags.ACK, 0, 0);
    }

    private static OutgoingSegment dataSegment(TcpConnection c, long nowNanos, int seq, int dataLen, boolean fin) {
        int dataEnd = Seq32.add(c.bufSeq, c.sendBuffer.length());
        boolean push = dataLen > 0 && Seq32.add(seq, dataLen) == dataEnd;
        int flags = TcpFlags.ACK | (fin ? TcpFlags.FIN : 0) | (push ? TcpFlags.PSH : 0);
        return build(c, c.outgoing, nowNanos, seq, flags, Seq32.diff(seq, c.bufSeq), dataLen);
    }

    // ================================================================= common header

    /**
     * Plans the options of the segment about to be built and returns the payload room they leave
     * (Linux {@code tcp_current_mss}). Timestamps come first, then the extension's reservation
     * (its options take precedence over SACK), then as many SACK blocks as fit in what is left.
     * The chosen blocks are kept for {@link #build}, which must follow at once: choosing them
     * consumes a pending D-SACK.
     */
    static int planOptions(TcpConnection c, boolean dataSegment) {
        int fixed = c.tsOk ? TcpConnection.TIMESTAMPS_ALIGNED : 0;
        int reserved = c.extension == SubflowExtension.PLAIN ? 0
                : Math.min(roundUp4(c.extension.reservedOptionBytes(c, dataSegment)), TcpConnection.MAX_OPTION_BYTES - fixed);
        List<TcpOption.SackBlock> blocks = List.of();
        if (c.sackOk && (c.receiveBuffer.hasOutOfOrder() || c.receiveBuffer.hasPendingDsack())) {
            // RFC 2018 section 3: a SACK option of n blocks takes 2 + 8n bytes, after two NOPs.
            int max = c.tsOk ? 3 : 4;
            while (max > 0 && fixed + reserved + TcpOptions.sackLength(max) > TcpConnection.MAX_OPTION_BYTES) {
                max--;
            }
            if (max > 0) {
                blocks = c.receiveBuffer.sackBlocks(max);
            }
        }
        c.plannedSack = blocks;
        return c.mssClamp - tcpOptionBytes(c, blocks) - reserved;
    }

    /**
     * The laid-out length of {@link #tcpOptions} with {@code blocks}: the timestamps option and the
     * SACK blocks each sit on their own 4-byte boundary, so their sizes add.
     */
    private static int tcpOptionBytes(TcpConnection c, List<TcpOption.SackBlock> blocks) {
        return (c.tsOk ? TcpConnection.TIMESTAMPS_ALIGNED : 0) + (blocks.isEmpty() ? 0 : TcpOptions.sackLength(blocks.size()));
    }

    /** The payload of a full data segment once the extension's options are in (its DSS, for MPTCP). */
    static int dataMss(TcpConnection c) {
        if (c.extension == SubflowExtension.PLAIN) {
            return c.sndMss;
        }
        int fixed = c.tsOk ? TcpConnection.TIMESTAMPS_ALIGNED : 0;
        int reserved = Math.min(roundUp4(c.extension.reservedOptionBytes(c, true)), TcpConnection.MAX_OPTION_BYTES - fixed);
        return Math.max(1, c.sndMss - reserved);
    }

    private static int roundUp4(int n) {
        return (Math.max(n, 0) + 3) & ~3;
    }

    /**
     * Every segment after the handshake, built in {@code seg}: timestamps, SACK blocks, window,
     * ACK, the extension's options, and {@code payloadLength} bytes of the send queue from
     * {@code payloadOffset}, which stay there until the segment is encoded: before the next poll,
     * with nothing appended to the queue in between. Resets the ACK state.
     */
    private static OutgoingSegment build(TcpConnection c, OutgoingSegment seg, long nowNanos, int seq, int flags,
            int payloadOffset, int payloadLength) {
        if (c.plannedSack == null) {
            planOptions(c, payloadLength > 0);
        }
        List<TcpOption.SackBlock> blocks = c.plannedSack;
        c.plannedSack = null;
        int ack = c.rcvNxt();
        seg.start(c.local.getPort(), c.remote.getPort(), seq, ack, flags, windowField(c));
        // TCP's own options in Linux's order.
        if (c.tsOk) {
            seg.timestamps(tsClock(c, nowNanos), c.tsRecent);
        }
        seg.sack(blocks);
        if (payloadLength > 0) {
            seg.payload(c.sendBuffer, payloadOffset, payloadLength);
        }
        addExtensionOptions(c, seg, tcpOptionBytes(c, blocks)); // their length without laying them out
        c.lastAckSent = ack;
        c.ackNow = false;
        c.bytesSinceAck = 0;
        c.pushedSinceAck = false;
        c.timers.stop(Timer.DELAYED_ACK);
        countOut(c);
        return seg;
    }

    /** Builds the ACK that is due now and queues it; the driver gets it at its next poll. */
    static void oweAck(TcpConnection c, long nowNanos) {
        if (c.owedAcks.size() >= TcpConnection.MAX_OWED_ACKS) {
            return; // the newest ACK still goes out at the poll; cumulative ACKs lose nothing else
        }
        c.owedAcks.add(build(c, new OutgoingSegment(), nowNanos, c.sndNxt, TcpFlags.ACK, 0, 0));
    }

    private static void addExtensionOptions(TcpConnection c, OutgoingSegment seg, int usedOptionBytes) {
        if (c.extension != SubflowExtension.PLAIN) {
            c.extension.writeOptions(c, seg, TcpConnection.MAX_OPTION_BYTES - usedOptionBytes);
        }
    }

    /**
     * The window to advertise, scaled (RFC 7323 2.3). Receiver-side SWS avoidance (RFC 9293
     * 3.8.6.2.2): the right edge moves only by at least min(RCV.BUFF / 2, MSS), and never back.
     */
    private static int windowField(TcpConnection c) {
        int candidate = c.receiveBuffer.limitSeq();
        int increase = Seq32.diff(candidate, c.rcvAdvRight);
        int threshold = Math.min(c.receiveBuffer.capacity() / 2, c.config.mss());
        if (increase >= threshold) {
            c.rcvAdvRight = candidate;
        }
        long wnd = Math.max(0, Seq32.diff(c.rcvAdvRight, c.rcvNxt()));
        if (c.extension != SubflowExtension.PLAIN) {
            long shared = c.extension.receiveWindow(c);
            if (shared >= 0) {
                // Never more than this subflow accepts itself: a segment beyond its own right edge
                // would be dropped as out of window.
                wnd = Math.min(wnd, shared);
            }
        }
        return (int) Math.min(wnd >> c.rcvWscale, 65535);
    }

    /** After the application read: announce a window that has at least doubled (Linux tcp_cleanup_rbuf). */
    static void onApplicationRead(TcpConnection c) {
        if (!c.state.mayReceive()) {
            return;
        }
        int wnd = Math.max(0, Seq32.diff(c.rcvAdvRight, c.rcvNxt()));
        int increase = Seq32.diff(c.receiveBuffer.limitSeq(), c.rcvAdvRight);
        int threshold = Math.min(c.receiveBuffer.capacity() / 2, c.config.mss());
        if (increase >= Math.max(wnd, threshold)) {
            c.ackNow = true;
        }
    }

    /**
     * RFC 1191 section 6.5 / RFC 8201: the path takes at most {@code pathMtu} bytes. The MSS
     * shrinks (never below 64 bytes of payload) and segments in flight that no longer fit are
     * marked lost and resent in pieces, without a window reduction: nothing was congested
     * (Linux {@code tcp_simple_retransmit}).
     */
    static void onPathMtu(TcpConnection c, long nowNanos, int pathMtu) {
        int ipHeader = c.remote.getAddress() instanceof java.net.Inet6Address ? 40 : 20;
        int clamp = pathMtu - ipHeader - 20;
        int ts = c.tsOk ? TcpConnection.TIMESTAMPS_ALIGNED : 0;
        if (clamp - ts < 64) {
            return;
        }
        c.pathMtuClamp = Math.min(c.pathMtuClamp, clamp); // the SYN-ACK's MSS must not undo it
        if (clamp >= c.mssClamp) {
            return;
        }
        c.setMssClamp(clamp);
        int tooBig = c.retransmitQueue.markLostLongerThan(c.sndMss);
        if (tooBig > 0) {
            c.mib.add(MibCounter.TCP_PMTU_RETRANSMITS, tooBig);
            c.recovery.onMtuLoss(nowNanos);
        }
    }

    private static void countOut(TcpConnection c) {
        c.segmentsOut++;
        c.mib.increment(MibCounter.TCP_OUT_SEGS);
    }
}
