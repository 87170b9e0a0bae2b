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
        Subflow holder = holderOf(blocked, subflows, dataAck, sndNxt);
        if (holder == null) {
            return null;
        }
        if (policy.penalization() && holder.srttNanos() > blocked.srttNanos()
                && nowNanos - holder.penalizedAtNanos >= holder.srttNanos() && holder.tcp.penalize(nowNanos)) {
            holder.penalizedAtNanos = nowNanos;
            mib.increment(MibCounter.MPTCP_PENALIZED);
        }
        // Only onto a faster subflow: the slow one resending the fast one's data gains nothing.
        return policy.opportunisticRetransmission() && holder.srttNanos() > blocked.srttNanos()
                ? resend(blocked, holder, dataAck, maxBytes) : null;
    }

    /**
     * {@code idle} could send up to {@code maxBytes} but nothing new is waiting and the
     * application has closed (DATA_FIN queued): the end of a transfer, when what a slower subflow still carries arrives last while the faster ones idle
     * (the tail the aggregation cases of Linux's {@code simult_flows.sh} measure). The same
     * opportunistic retransmission applies, as an extension of mptcp4j's: the left edge, when a
     * subflow slower than {@code idle} holds it. Nobody is penalized; the window is not the limit.
     */
    long[] onIdle(Subflow idle, List<Subflow> subflows, long dataAck, long sndNxt, int maxBytes) {
        if (!policy.opportunisticRetransmission()) {
            return null;
        }
        Subflow holder = holderOf(idle, subflows, dataAck, sndNxt);
        return holder != null && holder.srttNanos() > idle.srttNanos() ? resend(idle, holder, dataAck, maxBytes) : null;
    }

    /**
     * The slowest subflow other than {@code s} that holds the byte at {@code dataAck} and whose
     * peer has not acknowledged it yet, or null. Bytes the holder's peer acknowledged are at the
     * receiver: the DATA_ACK for them is on its way, and sending them again would be waste.
     */
    private static Subflow holderOf(Subflow s, List<Subflow> subflows, long dataAck, long sndNxt) {
        if (!Dsn.lt(dataAck, sndNxt)) {
            return null; // nothing outstanding
        }
        Subflow holder = null;
        for (Subflow o : subflows) {
            if (o == s || o.dead || o.tcp == null) {
                continue;
            }
            Mapping m = o.sentMappingHolding(dataAck);
            if (m != null && Seq32.ge(Seq32.add(m.subflowSeq(), (int) (dataAck - m.dsn())), o.tcp.sndUna())
                    && (holder == null || o.srttNanos() > holder.srttNanos())) {
                holder = o;
            }
        }
        return holder;
    }

    /** From the left edge to the end of the holder's mapping, at most what {@code s} may send now; null if {@code s} sent it. */
    private static long[] resend(Subflow s, Subflow holder, long dataAck, int maxBytes) {
        if (s.holdsDsn(dataAck)) {
            return null; // sent here already: its own retransmission is TCP's business
        }
        Mapping held = holder.sentMappingHolding(dataAck);
        long heldEnd = held.dsn() + held.length();
        long want = dataAck + Math.max(maxBytes, s.tcp.dataMss());
        return new long[] {dataAck, Dsn.lt(want, heldEnd) ? want : heldEnd};
    }
}
