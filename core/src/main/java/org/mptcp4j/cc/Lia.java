package org.mptcp4j.cc;

/**
 * LIA, the Linked Increases Algorithm of RFC 6356, as the paper "MultiPath TCP: From Theory to
 * Practice" implements it in the Linux kernel (its section 4.2): integer arithmetic only, windows
 * in whole segments, a per-subflow counter {@code cwnd_cnt} of acknowledged segments, and alpha by
 * the paper's equation (1) with the scale factors {@code scale_num} and {@code scale_den}. Linux
 * (multipath-tcp.org): {@code mptcp_coupled.c}, congestion control "lia". Its exact twin is
 * {@link LiaExact}.
 *
 * <p>Section 4.2: "Our implementation counts the number of acknowledged packets and maintains this
 * information inside a subflow-variable (cwnd_cnt_i) ... the congestion window is increased by one
 * as soon as cwnd_cnt_i > totcwnd / alpha". RFC 6356 section 4.2 adds the cap that keeps a subflow
 * no more aggressive than TCP on its path: the threshold is max(alpha_scale * cwnd_total / alpha,
 * cwnd_i).
 *
 * <p>Alpha is recomputed when the group's windows have changed since it was last computed (the
 * events on which the kernel recomputes it: growth, slow start, a loss, a member joining or
 * leaving), not on every ACK; RTTs are read as they are at that moment.
 */
public final class Lia extends CoupledController {
    /** The paper's scale_num: the numerator of equation (1) is shifted left by it (the kernel's value). */
    static final int SCALE_NUM = 32;
    /** The paper's scale_den: each term of the denominator's sum is shifted left by it (the kernel's value). */
    static final int SCALE_DEN = 10;
    /** "the resulting scaling factor of scale_num / scale_den^2": alpha comes out multiplied by 2^12. */
    public static final int ALPHA_SCALE = SCALE_NUM - 2 * SCALE_DEN;

    /** Segments acknowledged in congestion avoidance since cwnd last grew (the paper's cwnd_cnt_i). */
    private long cwndCnt;
    /** Acknowledged bytes not yet a whole segment, counted into {@link #cwndCnt} later. */
    private long ackedBytesCarry;
    /** Alpha scaled by 2^{@link #ALPHA_SCALE}, and the group generation it was computed at. */
    private long alphaScaled = 1L << ALPHA_SCALE;
    private long alphaGeneration = -1;
    /** Scratch copies of the members' windows (segments) and smoothed RTTs (microseconds). */
    private long[] cwnds = new long[2];
    private long[] rttsMicros = new long[2];

    public Lia(CoupledGroup group, int mss, int initialWindowSegments) {
        super(group, mss, initialWindowSegments);
    }

    @Override
    void increase(long bytesAcked) {
        ackedBytesCarry += bytesAcked;
        long segments = ackedBytesCarry / mss;
        ackedBytesCarry -= segments * mss;
        cwndCnt += segments;
        long cwndSegments = cwndBytes / mss;
        long threshold = Math.max(increaseThreshold(), cwndSegments);
        if (cwndCnt > threshold) {
            cwndBytes += mss;
            cwndCnt = 0;
            group.onWindowChanged();
        }
    }

    /**
     * cwnd_total / alpha in segments (RFC 6356 section 4.2: alpha_scale * cwnd_total / alpha): the
     * segments to acknowledge per increment when only the coupled term limits the increase.
     */
    long increaseThreshold() {
        if (alphaGeneration != group.generation()) {
            alphaScaled = computeAlpha();
            alphaGeneration = group.generation();
        }
        return (totalWindowSegments() << ALPHA_SCALE) / alphaScaled;
    }

    private long totalWindowSegments() {
        long total = 0;
        for (int i = 0; i < group.size(); i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                total += c.windowBytes() / mss;
            }
        }
        return Math.max(total, 1);
    }

    /** Alpha over the members that have an RTT sample (those that can send; the others have no rate yet). */
    private long computeAlpha() {
        int n = group.size();
        if (cwnds.length < n) {
            cwnds = new long[n];
            rttsMicros = new long[n];
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            CongestionController c = group.member(i);
            if (c.srttNanos() > 0) {
                cwnds[k] = c.windowBytes() / mss;
                rttsMicros[k] = Math.max(c.srttNanos() / 1000, 1);
                k++;
            }
        }
        return k == 0 ? 1L << ALPHA_SCALE : alphaScaled(cwnds, rttsMicros, k);
    }

    /**
     * The paper's equation (1) in integers, alpha multiplied by 2^{@link #ALPHA_SCALE}:
     *
     * <pre>
     *                     cwnd_max * 2^scale_num
     *   alpha = cwnd_tot * -----------------------------------------
     *                     ( sum_i  rtt_max * cwnd_i * 2^scale_den / rtt_i )^2
     * </pre>
     *
     * where cwnd_max and rtt_max belong to the subflow with the largest cwnd_i / rtt_i^2 (RFC 6356's
     * max term), "precalculated from the numerator, but rtt_max has been put into the denominator
     * to reduce the number of divisions". This equals RFC 6356's cwnd_total * max(cwnd_i/rtt_i^2) /
     * (sum cwnd_i/rtt_i)^2 times 2^(scale_num - 2 scale_den); every division truncates.
     *
     * <p>Each term of the sum is at most sqrt(cwnd_i * cwnd_max) * 2^scale_den (cwnd_i/rtt_i^2 is
     * at most cwnd_max/rtt_max^2), so the sum is at most sqrt(n) * cwnd_tot * 2^scale_den and its
     * square fits in 63 bits for up to 8 subflows with cwnd_tot up to 2^20 segments; comparing
     * cwnd_i * rtt^2 products fits for windows up to 2^20 segments and RTTs up to 1 s. The numerator cwnd_tot * cwnd_max * 2^32 does not once the product of the windows
     * passes 2^31 (two subflows of about 33000 segments); then it is shifted by less and the
     * quotient shifted back, giving up low bits of alpha rather than overflowing.
     *
     * @param cwndSegments the windows, in segments
     * @param rttMicros the smoothed RTTs, in microseconds (Linux {@code srtt_us}), at least 1
     * @param n how many entries of the arrays to use, at least 1
     */
    public static long alphaScaled(long[] cwndSegments, long[] rttMicros, int n) {
        int best = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += cwndSegments[i];
            // cwnd_i / rtt_i^2 > cwnd_best / rtt_best^2, without dividing.
            if (cwndSegments[i] * rttMicros[best] * rttMicros[best] > cwndSegments[best] * rttMicros[i] * rttMicros[i]) {
                best = i;
            }
        }
        long rttMax = rttMicros[best];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (cwndSegments[i] << SCALE_DEN) * rttMax / rttMicros[i];
        }
        long denominator = sum * sum;
        long product = total * cwndSegments[best];
        int shift = Math.min(SCALE_NUM, Long.numberOfLeadingZeros(product) - 1);
        long alpha = ((product << shift) / denominator) << (SCALE_NUM - shift);
        return Math.max(alpha, 1);
    }

    /** Alpha as a number, for tests and {@code ss}-like output. */
    public double alpha() {
        increaseThreshold();
        return alphaScaled / (double) (1L << ALPHA_SCALE);
    }

    @Override
    void onLoss() {
        cwndCnt = 0;
        ackedBytesCarry = 0;
    }

    @Override
    public String name() {
        return "lia";
    }
}
