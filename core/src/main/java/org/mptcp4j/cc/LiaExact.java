package org.mptcp4j.cc;

/**
 * LIA (RFC 6356) in exact arithmetic: the twin of {@link Lia} with {@code double}s, byte-counted
 * windows and alpha computed afresh on every ACK in congestion avoidance, as RFC 6356 section 3
 * writes the algorithm. Tests bound how far {@link Lia}'s integer alpha strays from this one, and
 * the two can be swapped to see what the kernel's fixed point changes ("lia-exact").
 *
 * <p>Section 3: "For each ACK received on subflow i, increase cwnd_i by
 * min(alpha * bytes_acked * MSS_i / cwnd_total, bytes_acked * MSS_i / cwnd_i)", with
 * alpha = cwnd_total * max_i(cwnd_i / rtt_i^2) / (sum_i cwnd_i / rtt_i)^2.
 */
public final class LiaExact extends CoupledController {
    /** Scratch copies of the members' windows (bytes) and smoothed RTTs (seconds). */
    private double[] cwnds = new double[2];
    private double[] rtts = new double[2];

    public LiaExact(CoupledGroup group, int mss, int initialWindowSegments) {
        super(group, mss, initialWindowSegments);
    }

    @Override
    void increase(long bytesAcked) {
        int n = group.size();
        if (cwnds.length < n) {
            cwnds = new double[n];
            rtts = new double[n];
        }
        // cwnd_total and alpha over the members that have an RTT sample (the others have no rate yet).
        int k = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                cwnds[k] = c.windowBytes();
                rtts[k] = seconds(c.srttNanos());
                total += cwnds[k];
                k++;
            }
        }
        double coupled = k == 0 ? Double.MAX_VALUE : alpha(cwnds, rtts, k) * bytesAcked * mss / total;
        grow(Math.min(coupled, (double) bytesAcked * mss / cwndBytes));
    }

    /**
     * RFC 6356 section 3: alpha = cwnd_total * max_i(cwnd_i / rtt_i^2) / (sum_i cwnd_i / rtt_i)^2,
     * in any consistent units (alpha has none).
     */
    public static double alpha(double[] cwnd, double[] rtt, int n) {
        double total = 0;
        double best = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            total += cwnd[i];
            best = Math.max(best, cwnd[i] / (rtt[i] * rtt[i]));
            sum += cwnd[i] / rtt[i];
        }
        return total * best / (sum * sum);
    }

    @Override
    public String name() {
        return "lia-exact";
    }
}
