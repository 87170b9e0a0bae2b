package org.mptcp4j.mptcp;

import java.util.List;
import org.mptcp4j.base.Dsn;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;

/**
 * Opportunistic retransmission and penalization: what the paper's kernel (multipath-tcp.org,
 * {@code mptcp_rcv_buf_optimization}) does when a subflow could send but the peer's
 * connection-level window is full. Upstream Linux has neither.
 *
 * <p>The window is full because the receiver holds data it cannot deliver: it waits for the bytes
 * at the window's left edge (the DATA_ACK), which a slower subflow still carries. The fast subflow
 * then sends those bytes again itself (opportunistic retransmission: they arrive a round trip of
 * the fast path later, the receiver delivers and opens the window), and the slower subflow's
 * congestion window is reduced (penalization), so that it takes less of the window next time; at
 * most once per its RTT, only when it is slower than the blocked one and not already in loss
 * recovery. Each is switched on its own ({@link ReceiveBufferPolicy}) so that its effect can be measured.
 */
final class Penalizer {
    private final ReceiveBufferPolicy policy;
    private final Mib mib;

    Penalizer(ReceiveBufferPolicy policy, Mib mib) {
        this.policy = policy;
        this.mib = mib;
    }

    boolean enabled() {
        return policy.opportunisticRetransmission() || policy.penalization();
    }

    /**
     * {@code blocked} could send up to {@code maxBytes} but the peer's connection-level window has
     * no room for new data. Penalizes the slower subflow holding the byte at {@code dataAck} (the
     * window's left edge) if that is due, and returns the range {@code [start, end)} that
     * {@code blocked} should send again, or null.
     */
    long[] onWindowLimited(Subflow blocked, List<Subflow> subflows, long dataAck, long sndNxt, int maxBytes,
            long nowNanos) {
        if (!Dsn.lt(dataAck, sndNxt)) {
            return null; // nothing outstanding: the window is full of data the application has not read
        }
        Subflow holder = null;
        Mapping held = null;
        for (Subflow s : subflows) {
            if (s == blocked || s.dead || s.tcp == null) {
                continue;
            }
            Mapping m = s.sentMappingHolding(dataAck);
            // Bytes the holder's peer acknowledged already are at the receiver: the DATA_ACK for
            // them is on its way, and sending them again would be waste.
            if (m != null && Seq32.ge(Seq32.add(m.subflowSeq(), (int) (dataAck - m.dsn())), s.tcp.sndUna())
                    && (holder == null || s.srttNanos() > holder.srttNanos())) {
                holder = s;
                held = m;
            }
        }
        if (holder == null) {
            return null;
        }
        if (policy.penalization() && holder.srttNanos() > blocked.srttNanos()
                && nowNanos - holder.penalizedAtNanos >= holder.srttNanos() && holder.tcp.penalize(nowNanos)) {
            holder.penalizedAtNanos = nowNanos;
            mib.increment(MibCounter.MPTCP_PENALIZED);
        }
        if (!policy.opportunisticRetransmission() || blocked.holdsDsn(dataAck)) {
            return null; // sent here already: its own retransmission is TCP's business
        }
        long heldEnd = held.dsn() + held.length();
        long want = dataAck + Math.max(maxBytes, blocked.tcp.dataMss());
        long end = Dsn.lt(want, heldEnd) ? want : heldEnd;
        return new long[] {dataAck, end};
    }
}
