package org.mptcp4j.cc;

/**
 * BALIA, Balanced Linked Adaptation (Q. Peng, A. Walid, J. Hwang, S. H. Low, "Multipath TCP:
 * Analysis, Design, and Implementation", IEEE/ACM Transactions on Networking 24(1), 2016;
 * draft-walid-mptcp-congestion-control). Linux (multipath-tcp.org): {@code mptcp_balia.c},
 * congestion control "balia".
 *
 * <p>With x_k = w_k / rtt_k the rate of path k and alpha_r = max_k x_k / x_r (at least 1), for
 * each ACK on path r in congestion avoidance w_r grows by
 * {@code x_r / (rtt_r (sum_k x_k)^2) * (1 + alpha_r) / 2 * (4 + alpha_r) / 5} segments per
 * acknowledged segment, and each loss on path r reduces it by {@code w_r / 2 * min(alpha_r, 1.5)}:
 * a slow path backs off by up to three quarters, the fastest by half. With one path alpha is 1,
 * the increase 1/w and the decrease w/2: BALIA is Reno.
 */
public final class Balia extends CoupledController {

    public Balia(CoupledGroup group, int mss, int initialWindowSegments) {
        super(group, mss, initialWindowSegments);
    }

    @Override
    void increase(long bytes) {
        double segmentsAcked = bytes / (double) mss;
        double rtt = seconds(srttNanos);
        double x = rate(this);
        double sum = 0;
        double max = 0;
        for (int i = 0; i < group.size(); i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                double xk = rate(c);
                sum += xk;
                max = Math.max(max, xk);
            }
        }
        if (sum == 0) {
            return;
        }
        double alpha = max / x;
        double perSegment = x / (rtt * sum * sum) * ((1 + alpha) / 2) * ((4 + alpha) / 5);
        grow(perSegment * segmentsAcked * mss);
    }

    @Override
    double reducedWindowBytes(double windowBytes) {
        double max = 0;
        for (int i = 0; i < group.size(); i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                max = Math.max(max, rate(c));
            }
        }
        double x = rate(this);
        double alpha = max > x ? max / x : 1;
        return windowBytes - windowBytes / 2 * Math.min(alpha, 1.5);
    }

    /** x_k in segments per second. */
    private double rate(CongestionController c) {
        return c.windowBytes() / (double) mss / seconds(c.srttNanos());
    }

    @Override
    public String name() {
        return "balia";
    }
}
