package org.mptcp4j.cc;

/**
 * CUBIC (RFC 9438): the window grows as a cubic function of the time since the last congestion
 * event, with a Reno-friendly region and fast convergence. Windows are kept in segments as
 * {@code double}s, as the RFC writes them. Linux: {@code tcp_cubic.c} (without HyStart).
 */
public final class Cubic implements CongestionController {
    /** RFC 9438 section 5: C = 0.4. */
    static final double C = 0.4;
    /** RFC 9438 section 4.6: beta_cubic = 0.7. */
    static final double BETA = 0.7;
    /** RFC 9438 section 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    private static final long NO_EPOCH = Long.MIN_VALUE;

    private final int mss;
    private double cwnd;
    private double ssthresh = Double.MAX_VALUE;
    /** Window just before the last reduction (W_max), in segments. */
    private double wMax;
    private double k;
    private double originPoint;
    /** The Reno-friendly estimate W_est (section 4.3), in segments. */
    private double wEst;
    private long epochStartNanos = NO_EPOCH;
    private long srttNanos;
    private final boolean fastConvergence = true;

    public Cubic(int mss, int initialWindowSegments) {
        this.mss = mss;
        this.cwnd = initialWindowSegments;
    }

    @Override
    public long windowBytes() {
        return (long) (cwnd * mss);
    }

    @Override
    public long ssthreshBytes() {
        return ssthresh >= Long.MAX_VALUE / mss ? Long.MAX_VALUE : (long) (ssthresh * mss);
    }

    @Override
    public long srttNanos() {
        return srttNanos;
    }

    @Override
    public void onAck(AckEvent event) {
        srttNanos = event.srttNanos();
        if (event.inRecovery() || !event.cwndLimited()) {
            return;
        }
        double segmentsAcked = event.bytesAcked() / (double) mss;
        if (cwnd < ssthresh) {
            cwnd += Math.min(segmentsAcked, 2.0);
            return;
        }
        if (epochStartNanos == NO_EPOCH) {
            // Section 4.2: a new congestion avoidance stage starts.
            epochStartNanos = event.nowNanos();
            if (cwnd < wMax) {
                k = Math.cbrt((wMax - cwnd) / C);
                originPoint = wMax;
            } else {
                k = 0;
                originPoint = cwnd;
            }
            wEst = cwnd;
        }
        double t = (event.nowNanos() - epochStartNanos) / 1e9;
        double rtt = event.srttNanos() / 1e9;
        // Section 4.2 equation (1) evaluated one RTT ahead, and the target clamped to [cwnd, 1.5 cwnd].
        double target = originPoint + C * Math.pow(t + rtt - k, 3);
        target = Math.max(cwnd, Math.min(target, 1.5 * cwnd));
        double cubicCwnd = cwnd + (target - cwnd) / cwnd * segmentsAcked;
        // Section 4.3: the Reno-friendly region; alpha becomes 1 once W_est reaches W_max.
        double alpha = wEst >= wMax ? 1.0 : ALPHA;
        wEst += alpha * segmentsAcked / cwnd;
        cwnd = Math.max(cubicCwnd, wEst);
    }

    @Override
    public void onCongestion(LossEvent event) {
        reduce();
        cwnd = ssthresh;
    }

    @Override
    public void onRto(long nowNanos, long bytesInFlight) {
        // Section 4.8: as a congestion event, then cwnd = 1 segment (the loss window).
        reduce();
        cwnd = 1;
    }

    private void reduce() {
        epochStartNanos = NO_EPOCH;
        // Section 4.7: fast convergence releases bandwidth to new flows.
        wMax = (fastConvergence && cwnd < wMax) ? cwnd * (1 + BETA) / 2 : cwnd;
        ssthresh = Math.max(cwnd * BETA, 2.0);
    }

    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public String toString() {
        return "cubic cwnd=" + windowBytes() + " ssthresh=" + ssthreshBytes() + " wMax=" + (long) (wMax * mss);
    }
}
