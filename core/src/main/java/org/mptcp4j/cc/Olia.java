package org.mptcp4j.cc;

/**
 * OLIA, the Opportunistic Linked Increases Algorithm (R. Khalili, N. Gast, M. Popovic, J.-Y. Le
 * Boudec, "MPTCP is not Pareto-optimal: performance issues and a possible solution", CoNEXT 2012,
 * where the algorithm is defined; draft-khalili-mptcp-congestion-control describes the same). Linux (multipath-tcp.org): {@code mptcp_olia.c},
 * congestion control "olia".
 *
 * <p>For each ACK on path r, in congestion avoidance, w_r grows by
 * {@code (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2 + alpha_r / w_r} segments per acknowledged
 * segment; a loss halves w_r. The first term is LIA's coupled increase without its cap; alpha_r
 * moves window from the paths with the largest windows towards the best paths that do not have
 * them yet:
 * <ul>
 *   <li>l_r, the bytes acknowledged between the last two losses on path r or since the last loss,
 *       whichever is more, stands for 1/p_r; the best paths are those with the largest
 *       l_r / rtt_r^2 (where a regular TCP would get the most);
 *   <li>the max-window paths are those with the largest w_r; the collected paths are the best
 *       paths that are not max-window paths;
 *   <li>with n paths, alpha_r = 1 / (n |collected|) on a collected path, -1 / (n |max-window|) on a
 *       max-window path when some path is collected, and 0 otherwise.
 * </ul>
 * With one path alpha is 0 and the increase is 1/w: OLIA is Reno.
 */
public final class Olia extends CoupledController {
    /** Bytes acknowledged on this path so far (every ACK, in any state). */
    private long bytesAcked;
    /** {@link #bytesAcked} at the last loss and at the loss before it. */
    private long bytesAckedAtLastLoss;
    private long bytesAckedAtLossBefore;

    public Olia(CoupledGroup group, int mss, int initialWindowSegments) {
        super(group, mss, initialWindowSegments);
    }

    @Override
    void onBytesAcked(long bytes) {
        bytesAcked += bytes;
    }

    @Override
    void onLoss() {
        bytesAckedAtLossBefore = bytesAckedAtLastLoss;
        bytesAckedAtLastLoss = bytesAcked;
    }

    /** l_r: the bytes between the last two losses or since the last loss, whichever is more. */
    long bytesBetweenLosses() {
        return Math.max(bytesAcked - bytesAckedAtLastLoss, bytesAckedAtLastLoss - bytesAckedAtLossBefore);
    }

    @Override
    void increase(long bytes) {
        double segmentsAcked = bytes / (double) mss;
        double w = cwndBytes / (double) mss;
        grow((coupledTerm(w) + alpha() / w) * segmentsAcked * mss);
    }

    /** (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2, over the paths with an RTT sample. */
    private double coupledTerm(double w) {
        double rtt = seconds(srttNanos);
        double sum = 0;
        for (int i = 0; i < group.size(); i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                sum += c.windowBytes() / (double) mss / seconds(c.srttNanos());
            }
        }
        return sum == 0 ? 1 / w : (w / (rtt * rtt)) / (sum * sum);
    }

    /** alpha_r of this path, as the paper defines it. */
    double alpha() {
        int n = 0;
        double bestQuality = -1;
        long maxWindow = 0;
        for (int i = 0; i < group.size(); i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                n++;
                bestQuality = Math.max(bestQuality, quality(c));
                maxWindow = Math.max(maxWindow, c.windowBytes());
            }
        }
        int collected = 0;
        int maxWindowPaths = 0;
        for (int i = 0; i < group.size(); i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                if (c.windowBytes() == maxWindow) {
                    maxWindowPaths++;
                } else if (quality(c) == bestQuality) {
                    collected++;
                }
            }
        }
        if (collected == 0 || n == 0) {
            return 0;
        }
        if (cwndBytes == maxWindow) {
            return -1.0 / (n * maxWindowPaths);
        }
        return quality(this) == bestQuality ? 1.0 / (n * collected) : 0;
    }

    /** l_r / rtt_r^2; members that are not OLIA count as having seen no loss-free bytes. */
    private static double quality(CongestionController c) {
        long l = c instanceof Olia o ? o.bytesBetweenLosses() : 0;
        double rtt = seconds(c.srttNanos());
        return l / (rtt * rtt);
    }

    @Override
    public String name() {
        return "olia";
    }
}
