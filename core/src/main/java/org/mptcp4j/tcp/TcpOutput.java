package org.mptcp4j.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * Segment departure for one {@link TcpConnection}, built on demand when the driver polls (smoltcp
 * {@code dispatch}). Priority: a pending RST, the SYN or SYN-ACK, retransmissions of lost
 * segments (RFC 6675 NextSeg rule 1), new data within the send and congestion windows (with
 * sender-side SWS avoidance and optional Nagle), the FIN, window or keepalive probes, a pure ACK.
 * Linux: {@code tcp_write_xmit}, {@code tcp_xmit_retransmit_queue}, {@code tcp_send_ack}.
 */
final class TcpOutput {
    private TcpOutput() {}

    /** The timestamp clock: milliseconds (RFC 7323 5.4 allows 1 ms to 1 s per tick) plus a per-connection offset. */
    static int tsClock(TcpConnection c, long nowNanos) {
        return (int) (nowNanos / 1_000_000L) + c.tsOffset;
    }

    static TcpSegment poll(TcpConnection c, long nowNanos) {
        if (c.rstPending) {
            return rst(c);
        }
        return switch (c.state) {
            case CLOSED, LISTEN -> null;
            case SYN_SENT -> c.synNeeded ? syn(c, nowNanos, false) : null;
            case SYN_RECEIVED -> c.synNeeded || c.ackNow ? syn(c, nowNanos, true) : null;
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT ->
                    pollSynchronized(c, nowNanos);
        };
    }

    private static TcpSegment pollSynchronized(TcpConnection c, long nowNanos) {
        TcpSegment s = retransmit(c, nowNanos);
        if (s == null) {
            s = sendNew(c, nowNanos);
        }
        if (s == null && (c.probeNow || c.persistFired)) {
            s = probe(c, nowNanos);
        }
        if (s == null && c.ackNow) {
            s = build(c, nowNanos, c.sndNxt, TcpFlags.ACK, TcpSegment.EMPTY);
        }
        return s;
    }

    // ================================================================= handshake and reset

    private static TcpSegment syn(TcpConnection c, long nowNanos, boolean withAck) {
        List<TcpOption> options = new ArrayList<>(5);
        // Linux's order and alignment: MSS, SACK-permitted, timestamps, NOP + window scale.
        options.add(new TcpOption.Mss(c.config.mss()));
        if (c.sackOk) {
            options.add(new TcpOption.SackPermitted());
        }
        if (c.tsOk) {
            options.add(new TcpOption.Timestamps(tsClock(c, nowNanos), withAck ? c.tsRecent : 0));
        }
        if (c.wsOk) {
            options.add(new TcpOption.WindowScale(c.config.receiveWindowShift()));
        }
        int used = 4 + (c.wsOk ? 4 : 0) + (c.tsOk ? 12 : (c.sackOk ? 4 : 0));
        int flags = TcpFlags.SYN | (withAck ? TcpFlags.ACK : 0);
        int ack = withAck ? c.rcvNxt() : 0;
        // RFC 7323 2.2: "The window field in a SYN ... segment itself is never scaled."
        int window = Math.min(c.receiveBuffer.freeSpace(), 65535);
        TcpSegment seg = new TcpSegment(c.local.getPort(), c.remote.getPort(), c.iss, ack, flags, window, 0,
                options, TcpSegment.EMPTY);
        seg = withExtensionOptions(c, seg, used);
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

    private static TcpSegment rst(TcpConnection c) {
        c.rstPending = false;
        c.mib.increment(MibCounter.TCP_OUT_RSTS);
        countOut(c);
        int flags = TcpFlags.RST | (c.rstWithAck ? TcpFlags.ACK : 0);
        return new TcpSegment(c.local.getPort(), c.remote.getPort(), c.rstSeq, c.rstWithAck ? c.rstAck : 0, flags,
                0, 0, List.of(), TcpSegment.EMPTY);
    }

    // ================================================================= data

    private static TcpSegment retransmit(TcpConnection c, long nowNanos) {
        RetransmitQueue q = c.retransmitQueue;
        if (q.isEmpty() || c.cc == null) {
            return null;
        }
        int pos = q.nextToRetransmit();
        if (pos < 0) {
            return null;
        }
        int len = q.len(pos);
        long pipe = c.bytesInFlight();
        if (pipe > 0 && pipe + len > c.cc.windowBytes()) {
            c.cwndLimited = true;
            return null;
        }
        int seq = q.seq(pos);
        boolean fin = q.isFin(pos);
        int dataLen = len - (fin ? 1 : 0);
        q.onRetransmitted(pos, nowNanos);
        c.retransmits++;
        c.bytesRetrans += dataLen;
        c.mib.increment(MibCounter.TCP_RETRANS_SEGS);
        c.mib.increment(c.caState == TcpConnection.CaState.LOSS ? MibCounter.TCP_SLOW_START_RETRANS
                : MibCounter.TCP_FAST_RETRANS);
        c.timers.setIfStopped(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
        c.cc.onPacketSent(nowNanos, len, c.bytesInFlight());
        return dataSegment(c, nowNanos, seq, dataLen, fin);
    }

    private static TcpSegment sendNew(TcpConnection c, long nowNanos) {
        if (c.cc == null || c.state == TcpState.TIME_WAIT) {
            return null;
        }
        int unsentOffset = Seq32.diff(c.sndNxt, c.bufSeq);
        int avail = c.sendBuffer.length() - unsentOffset;
        long inFlightSeq = Seq32.diff(c.sndNxt, c.sndUna);
        long windowRoom = c.sndWnd - inFlightSeq;
        long cwnd = c.cc.windowBytes();
        long pipe = c.bytesInFlight();
        if (avail <= 0 && !c.finQueued && windowRoom > 0 && cwnd > pipe && c.extension != SubflowExtension.PLAIN) {
            avail += c.extension.pullSendData(c, nowNanos, (int) Math.min(Math.min(windowRoom, cwnd - pipe),
                    c.sendBuffer.freeSpace()));
        }
        if (avail > 0) {
            int len = Math.min(avail, c.sndMss);
            if (windowRoom < len) {
                // RFC 9293 3.8.6.2.1: sender-side SWS avoidance; the persist timer overrides it.
                boolean sws = windowRoom < c.sndMss && windowRoom < c.maxSndWnd / 2;
                if (windowRoom <= 0 || (sws && !c.persistFired)) {
                    armPersist(c, nowNanos);
                    return null;
                }
                len = (int) windowRoom;
            }
            if (pipe > 0 && pipe + len > cwnd) {
                c.cwndLimited = true;
                return null;
            }
            if (c.config.nagle() && len < c.sndMss && !c.retransmitQueue.isEmpty()) {
                return null; // RFC 9293 3.7.4: hold a small segment while data is unacknowledged
            }
            boolean fin = c.finQueued && len == avail;
            int seq = c.sndNxt;
            c.retransmitQueue.add(seq, len + (fin ? 1 : 0), false, fin, nowNanos);
            c.sndNxt = Seq32.add(seq, len + (fin ? 1 : 0));
            if (fin) {
                c.finSent = true;
                c.finSeq = Seq32.add(seq, len);
            }
            c.bytesSent += len;
            c.persistFired = false;
            c.timers.stop(Timer.PERSIST);
            c.timers.setIfStopped(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
            c.cc.onPacketSent(nowNanos, len, c.bytesInFlight());
            return dataSegment(c, nowNanos, seq, len, fin);
        }
        if (c.finQueued && !c.finSent) {
            int seq = c.sndNxt;
            c.retransmitQueue.add(seq, 1, false, true, nowNanos);
            c.sndNxt = Seq32.add(seq, 1);
            c.finSent = true;
            c.finSeq = seq;
            c.timers.setIfStopped(Timer.RETRANSMIT, nowNanos + c.rtt.rtoNanos());
            return dataSegment(c, nowNanos, seq, 0, true);
        }
        return null;
    }

    private static void armPersist(TcpConnection c, long nowNanos) {
        if (c.retransmitQueue.isEmpty() && !c.timers.isRunning(Timer.RETRANSMIT)) {
            c.timers.setIfStopped(Timer.PERSIST, nowNanos + c.persistIntervalNanos());
        }
    }

    /** A zero-window or keepalive probe: one sequence number below SND.UNA, which the peer must ACK. */
    private static TcpSegment probe(TcpConnection c, long nowNanos) {
        if (c.persistFired) {
            c.mib.increment(MibCounter.TCP_WIN_PROBE);
        }
        c.probeNow = false;
        c.persistFired = false;
        return build(c, nowNanos, Seq32.add(c.sndUna, -1), TcpFlags.ACK, TcpSegment.EMPTY);
    }

    private static TcpSegment dataSegment(TcpConnection c, long nowNanos, int seq, int dataLen, boolean fin) {
        ByteBuffer payload = TcpSegment.EMPTY;
        if (dataLen > 0) {
            // One scratch array per connection: the segment is encoded before the next poll.
            if (c.payloadScratch.length < dataLen) {
                c.payloadScratch = new byte[Math.max(dataLen, c.config.mss())];
            }
            c.sendBuffer.copy(Seq32.diff(seq, c.bufSeq), dataLen, c.payloadScratch, 0);
            payload = ByteBuffer.wrap(c.payloadScratch, 0, dataLen);
        }
        int dataEnd = Seq32.add(c.bufSeq, c.sendBuffer.length());
        boolean push = dataLen > 0 && Seq32.add(seq, dataLen) == dataEnd;
        int flags = TcpFlags.ACK | (fin ? TcpFlags.FIN : 0) | (push ? TcpFlags.PSH : 0);
        return build(c, nowNanos, seq, flags, payload);
    }

    // ================================================================= common header

    /** Every segment after the handshake: timestamps, SACK blocks, window, ACK; resets the ACK state. */
    private static TcpSegment build(TcpConnection c, long nowNanos, int seq, int flags, ByteBuffer payload) {
        List<TcpOption> options;
        int used = 0;
        boolean sackBlocks = c.sackOk && (c.receiveBuffer.hasOutOfOrder() || c.receiveBuffer.hasPendingDsack());
        if (!c.tsOk && !sackBlocks) {
            options = List.of();
        } else {
            options = new ArrayList<>(2);
            if (c.tsOk) {
                options.add(new TcpOption.Timestamps(tsClock(c, nowNanos), c.tsRecent));
                used += TcpConnection.TIMESTAMPS_ALIGNED;
            }
            if (sackBlocks) {
                // RFC 2018 section 3: 3 blocks fit beside timestamps, 4 without.
                List<TcpOption.SackBlock> blocks = c.receiveBuffer.sackBlocks(c.tsOk ? 3 : 4);
                if (!blocks.isEmpty()) {
                    options.add(new TcpOption.Sack(blocks));
                    used += 4 + 8 * blocks.size();
                }
            }
        }
        int ack = c.rcvNxt();
        TcpSegment seg = new TcpSegment(c.local.getPort(), c.remote.getPort(), seq, ack, flags, windowField(c), 0,
                options, payload);
        seg = withExtensionOptions(c, seg, used);
        c.lastAckSent = ack;
        c.ackNow = false;
        c.segmentsSinceAck = 0;
        c.timers.stop(Timer.DELAYED_ACK);
        countOut(c);
        return seg;
    }

    private static TcpSegment withExtensionOptions(TcpConnection c, TcpSegment seg, int usedOptionBytes) {
        if (c.extension == SubflowExtension.PLAIN) {
            return seg;
        }
        List<TcpOption> extra = new ArrayList<>(2);
        c.extension.writeOptions(c, seg, TcpConnection.MAX_OPTION_BYTES - usedOptionBytes, extra);
        if (extra.isEmpty()) {
            return seg;
        }
        List<TcpOption> all = new ArrayList<>(seg.options());
        all.addAll(extra);
        return seg.withOptions(all);
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
        int wnd = Math.max(0, Seq32.diff(c.rcvAdvRight, c.rcvNxt()));
        return Math.min(wnd >> c.rcvWscale, 65535);
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

    /** RFC 1191 section 6.5 / Linux tcp_mtu_to_mss: IP and TCP headers and our fixed options leave this much payload. */
    static void onPathMtu(TcpConnection c, long nowNanos, int pathMtu) {
        int ipHeader = c.remote.getAddress() instanceof java.net.Inet6Address ? 40 : 20;
        int mss = pathMtu - ipHeader - 20 - (c.tsOk ? TcpConnection.TIMESTAMPS_ALIGNED : 0);
        if (mss >= 64 && mss < c.sndMss) {
            c.sndMss = mss;
        }
    }

    private static void countOut(TcpConnection c) {
        c.segmentsOut++;
        c.mib.increment(MibCounter.TCP_OUT_SEGS);
    }
}
