package org.mptcp4j.mptcp.sched;

import org.mptcp4j.mptcp.Subflow;

/**
 * ECF, earliest completion first (Lim, Nahum, Towsley, Gibbens: "ECF: An MPTCP Path Scheduler to
 * Manage Heterogeneous Paths", CoNEXT 2017, Algorithm 1). The fastest subflow x<sub>f</sub> is used
 * while its window has room. When it is full and a slower x<sub>s</sub> has room, ECF asks which
 * finishes the {@code k} bytes waiting sooner: x<sub>f</sub> after its window opens, about
 * {@code n = 1 + k/CWND_f} of its RTTs, or x<sub>s</sub> now, one RTT<sub>s</sub> plus a margin
 * {@code δ = max(σ_f, σ_s)} (the RTT deviations). With {@code β} = 0.25 as hysteresis:
 *
 * <pre>
 * if n·RTT_f &lt; (1 + waiting·β)·(RTT_s + δ):
 *     if (k/CWND_s)·RTT_s ≥ 2·RTT_f + δ:  waiting = 1, send nothing (wait for x_f)
 *     else: send on x_s
 * else: waiting = 0, send on x_s
 * </pre>
 *
 * The second test keeps x<sub>s</sub> in use when it alone would finish the rest before x<sub>f</sub>
 * could take two rounds. Waiting is the point: at the end of a transfer the last bytes on a slow
 * path arrive long after the fast one would have carried them.
 */
public final class Ecf extends FastOrWait {
    /** The paper's hysteresis β: once waiting, ECF keeps waiting until x_s is a quarter better. */
    public static final double BETA = 0.25;

    private boolean waiting;

    @Override
    boolean slowSends(Subflow fast, Subflow slow, SendState send) {
        double k = send.bytesWaiting();
        double rttF = fast.srttNanos();
        double rttS = slow.srttNanos();
        double delta = Math.max(fast.tcp().rttvarNanos(), slow.tcp().rttvarNanos());
        double n = 1 + k / Math.max(1, fast.tcp().cwndBytes());
        if (n * rttF < (1 + (waiting ? BETA : 0)) * (rttS + delta)) {
            if (k / Math.max(1, slow.tcp().cwndBytes()) * rttS >= 2 * rttF + delta) {
                waiting = true;
                reason = "ecf-wait";
                return false;
            }
            reason = "ecf-slow-finishes-first";
            return true;
        }
        waiting = false;
        reason = "ecf-slow";
        return true;
    }

    @Override
    public String name() {
        return "ecf";
    }
}
