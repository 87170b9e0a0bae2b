package org.mptcp4j.mptcp.sched;

import org.mptcp4j.mptcp.Subflow;

/**
 * BLEST, blocking estimation (Ferlin, Alay, Mehani, Boreli: "BLEST: Blocking Estimation-based
 * MPTCP Scheduler for Heterogeneous Networks", IFIP Networking 2016). The fastest subflow (lowest
 * smoothed RTT) is used while its window has room, as by {@code default}. When it is full, a
 * segment on a slower subflow x<sub>s</sub> occupies the connection-level send window for
 * RTT<sub>s</sub>; in that time the fast subflow x<sub>f</sub>, its window growing by one segment
 * per RTT, would send about
 *
 * <pre>  X = MSS_f · (CWND_f + (RTT_s/RTT_f − 1) / 2) · RTT_s/RTT_f</pre>
 *
 * bytes (paper, section 3). If {@code X·λ > |MPTCP send window| − MSS_s·(inflight_s + 1)} the
 * slow segment would block the fast subflow (head-of-line blocking at the receiver): BLEST does
 * not send on x<sub>s</sub> and waits for x<sub>f</sub>. Otherwise x<sub>s</sub> sends.
 *
 * <p>λ scales the estimate. The paper adapts it at run time from observed blocking; here it is
 * fixed at {@link #LAMBDA}, the multipath-tcp.org kernel's initial value (1.2).
 */
public final class Blest extends FastOrWait {
    /** The scaling factor λ of the fast subflow's estimate. */
    public static final double LAMBDA = 1.2;

    @Override
    boolean slowSends(Subflow fast, Subflow slow, SendState send) {
        boolean wait = wouldBlock(fast, slow, send);
        reason = wait ? "blest-wait" : "blest-slow";
        return !wait;
    }

    /** The paper's test: the bytes the fast subflow sends in one slow RTT do not fit beside the slow one's. */
    static boolean wouldBlock(Subflow fast, Subflow slow, SendState send) {
        double rttF = Math.max(1, fast.srttNanos());
        double ratio = Math.max(1.0, slow.srttNanos() / rttF);
        double mssF = fast.tcp().dataMss();
        double cwndF = fast.tcp().cwndBytes() / mssF;
        double x = mssF * (cwndF + (ratio - 1) / 2) * ratio;
        double room = send.sendWindowBytes() - (slow.bytesQueued() + (double) slow.tcp().dataMss());
        return x * LAMBDA > room;
    }

    @Override
    public String name() {
        return "blest";
    }
}
