package org.mptcp4j.mptcp.sched;

import org.mptcp4j.mptcp.Subflow;

/**
 * ECF, earliest completion first (Lim, Nahum, Towsley, Gibbens: "ECF: An MPTCP Path Scheduler to
 * Manage Heterogeneous Paths", CoNEXT 2017, Algorithm 1). The fastest subflow x<sub>f</sub> is used
 * while its window has room. When it is full and a slower x<sub>s</sub> has room, ECF asks which
 * finishes the {@code k} bytes waiting sooner: x<sub>f</sub> after its window opens, in {@code n}
 * of its RTTs, or x<sub>s</sub> now, one RTT<sub>s</sub> plus a margin {@code δ = max(σ_f, σ_s)}
 * (the RTT deviations). With {@code β} = 0.25 as hysteresis:
 *
 * <pre>
 * if n·RTT_f &lt; (1 + waiting·β)·(RTT_s + δ):
 *     if max(k/CWND_s, 1)·RTT_s ≥ 2·RTT_f + δ:  waiting = 1, send nothing (wait for x_f)
 *     else: send on x_s
 * else: waiting = 0, send on x_s
 * </pre>
 *
 * The second test keeps x<sub>s</sub> in use when it alone would finish the rest before x<sub>f</sub>
 * could take two rounds. Waiting is the point: at the end of a transfer the last bytes on a slow
 * path arrive long after the fast one would have carried them.
 *
 * <p>Where this differs from the paper's text:
 * <ul>
 * <li>Each path takes at least one round ({@code max(k/CWND, 1)}), as the multipath-tcp.org
 *     kernel's {@code mptcp_ecf.c} computes it: a few bytes on x<sub>s</sub> still take RTT<sub>s</sub>
 *     to arrive, so at the tail of a transfer ECF waits for x<sub>f</sub> rather than send them there.
 * <li>The paper's {@code n = 1 + k/CWND_f} holds the fast window where it is. In slow start
 *     ({@code cwnd < ssthresh}) it doubles each round, up to ssthresh or the peer's window (nothing
 *     has more in flight), so {@code n} counts the rounds of that growth ({@link #fastRounds}). At
 *     the start of a connection the paper's count is several times too high: 300 KB waiting at an
 *     initial window of 10 segments gives 22 rounds of 20 ms, 440 ms, more than a 200 ms slow path
 *     plus its deviation, so ECF put data on the slow path at once, as {@code default} does, and
 *     finished no sooner ({@code MptcpHeterogeneousPathsTest}); with the doubling {@code n} is 5.7
 *     rounds, 113 ms, and ECF waits. Out of slow start, or once the window reaches its ceiling,
 *     the count is the paper's.
 * </ul>
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
        double cwndF = Math.max(1, fast.tcp().cwndBytes());
        double cwndS = Math.max(1, slow.tcp().cwndBytes());
        // At least one round on either path, as the multipath-tcp.org kernel's max(k, CWND).
        double n = 1 + Math.max(1, fastRounds(k, cwndF, fast.tcp().ssthreshBytes(), send.sendWindowBytes()));
        if (n * rttF < (1 + (waiting ? BETA : 0)) * (rttS + delta)) {
            if (Math.max(1, k / cwndS) * rttS >= 2 * rttF + delta) {
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

    /**
     * The fast subflow's rounds to send {@code k} bytes: {@code k/CWND} at a window that stays, the
     * paper's model; in slow start ({@code cwnd < ssthresh}) the window doubles each round up to
     * the lower of {@code ssthresh} and the peer's window {@code sendWindow} (no subflow can have
     * more in flight), and stays there.
     */
    static double fastRounds(double k, double cwnd, double ssthresh, double sendWindow) {
        double ceiling = Math.max(cwnd, Math.min(ssthresh, sendWindow));
        double rounds = 0;
        double w = cwnd;
        while (w < ceiling && k > w) {
            k -= w;
            w = Math.min(2 * w, ceiling);
            rounds++;
        }
        return rounds + k / w;
    }

    @Override
    public String name() {
        return "ecf";
    }
}
