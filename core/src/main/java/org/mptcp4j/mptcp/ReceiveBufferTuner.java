package org.mptcp4j.mptcp;

import java.util.ArrayList;
import java.util.List;

/**
 * The connection-level receive-buffer autotuning of the paper's section 4.1: {@code rbuf = 2 *
 * sum(BW_i) * RTT_max}. Paper: "Our implementation uses the technique proposed in [4] to estimate
 * the RTT at the receiver by using the TCP timestamps, and computes the contribution of each path
 * to the overall receive buffer. Whenever any of the contributions changes, the global receive
 * buffer limit is updated in the mpcb." One BDP of every path covers the reordering between the
 * paths (data of the slowest path is needed in order before the others' can go up), the other
 * covers a fast retransmission on the slowest path. Upstream Linux has no equivalent (it sizes
 * the MPTCP socket by dynamic right-sizing over the subflows' copies, {@code mptcp_rcv_space_adjust}).
 *
 * <p>A pure calculator, fed by the connection: the bytes each subflow hands to the data level as
 * they arrive ({@link #onDataArrived}), and each subflow's receiver RTT (RFC 7323 timestamps:
 * Linux {@code tcp_rcv_rtt_measure_ts}). BW_i is measured over intervals of RTT_max, the same
 * clock for every path, so a path with a 1 ms RTT is not measured over one or two segments.
 * The buffer only grows (shrinking a window "is strongly discouraged", RFC 9293 section 3.8.6;
 * Linux's autotuning does not shrink either), up to the configured maximum.
 *
 * <p>When the target exceeds the maximum, the cap binds: "This should be used as a hint to
 * indicate that a subflow is underperforming and disable the slowest path." The tuner then names
 * the slowest path, the one with the highest RTT ({@link #onDataArrived} returns it), once per
 * binding episode; the connection counts it and lets its {@link SlowSubflowAction} act.
 */
final class ReceiveBufferTuner {
    /** RTT_max is taken as at least this, so that intervals on a LAN still hold several segments. */
    static final long MIN_INTERVAL_NANOS = 1_000_000L;

    /** One path's contribution: BW_i from the bytes counted in the last interval, and its receiver RTT. */
    static final class Contribution {
        final Subflow subflow;
        long bytesInInterval;
        /** BW_i measured over the last complete interval, bytes per second; 0 before one ended. */
        double bytesPerSecond;
        long rttNanos;

        Contribution(Subflow subflow) {
            this.subflow = subflow;
        }
    }

    private final int maxBytes;
    private final List<Contribution> contributions = new ArrayList<>(2);
    private int bufferBytes;
    private long intervalStartNanos = Long.MIN_VALUE;
    private long targetBytes;
    private long rttMaxNanos;
    /** sum(BW_i) at the previous interval's end, bytes per second. */
    private double previousSum;
    /** The cap bound at the last interval's end. */
    private boolean capped;
    /**
     * The slowest path was named since the cap began to bind: once per binding, at the first
     * interval's end at which two paths or more carry data (the cap may bind while a single path
     * does, before a join: the hint is for the slowest of several).
     */
    private boolean namedWhileCapped;
    /**
     * {@link #rttMax()} as last computed, or -1 when a contribution changed since: it is asked for
     * every data segment, and a scan over the paths each time cost more the more paths there were.
     */
    private long rttMaxNow = -1;

    /**
     * @param initialBytes the buffer the connection starts with (tcp_rmem[1])
     * @param maxBytes the configured maximum (tcp_rmem[2]); the buffer never grows beyond it
     */
    ReceiveBufferTuner(int initialBytes, int maxBytes) {
        this.bufferBytes = initialBytes;
        this.maxBytes = Math.max(initialBytes, maxBytes);
    }

    /**
     * {@code bytes} of subflow {@code s} reached the data level (in order or not: each path's rate
     * counts, not what the application could read). Returns the subflow to flag as the slowest
     * when the cap began to bind at this call, else null. Read {@link #bufferBytes()} after it.
     */
    Subflow onDataArrived(Subflow s, long nowNanos, int bytes) {
        Contribution c = contributionOf(s);
        if (c.bytesInInterval == 0 && c.bytesPerSecond == 0) {
            rttMaxNow = -1; // a path that carried nothing counts from now on
        }
        c.bytesInInterval += bytes;
        if (intervalStartNanos == Long.MIN_VALUE) {
            intervalStartNanos = nowNanos;
            return null;
        }
        long rttMax = rttMax();
        long elapsed = nowNanos - intervalStartNanos;
        if (rttMax == 0 || elapsed < rttMax) {
            return null;
        }
        return endInterval(nowNanos, elapsed, rttMax);
    }

    /** A new RTT sample of {@code s} at the receiver; a contribution changed when RTT_max does. */
    void onRtt(Subflow s, long rttNanos) {
        Contribution c = contributionOf(s);
        if (rttNanos > 0 && c.rttNanos != rttNanos) {
            c.rttNanos = rttNanos;
            rttMaxNow = -1;
        }
    }

    /** The subflow left the connection: it contributes nothing more. */
    void onSubflowClosed(Subflow s) {
        contributions.removeIf(c -> c.subflow == s);
        s.receiveContribution = null;
        rttMaxNow = -1;
    }

    private Subflow endInterval(long nowNanos, long elapsed, long rttMax) {
        double sum = 0;
        Contribution slowest = null;
        for (Contribution c : contributions) {
            c.bytesPerSecond = c.bytesInInterval * 1e9 / elapsed;
            c.bytesInInterval = 0;
            sum += c.bytesPerSecond;
            if (c.bytesPerSecond > 0 && (slowest == null || c.rttNanos > slowest.rttNanos)) {
                slowest = c;
            }
        }
        intervalStartNanos = nowNanos;
        rttMaxNanos = rttMax;
        rttMaxNow = -1; // the intervals' bytes were reset
        targetBytes = (long) (2 * sum * rttMax / 1e9);
        long grow = targetBytes;
        if (previousSum > 0 && sum > previousSum) {
            // The rate still rises (a sender in slow start doubles it every RTT): what was measured
            // is an interval old, so the buffer grows ahead by twice the relative increase, as
            // Linux's dynamic right-sizing does, and the window does not trail the sender. The
            // increase counts as at most a doubling, what Linux's per-RTT measurement sees of slow
            // start: the first interval holds little more than the initial window, and the rate
            // of the second, 30 times that, took the buffer straight to its maximum.
            grow += (long) (2 * targetBytes * Math.min(sum - previousSum, previousSum) / previousSum);
        }
        previousSum = sum;
        if (grow > bufferBytes) {
            bufferBytes = (int) Math.min(grow, maxBytes);
        }
        capped = targetBytes > maxBytes;
        if (!capped) {
            namedWhileCapped = false;
            return null;
        }
        int paths = 0;
        for (Contribution c : contributions) {
            paths += c.bytesPerSecond > 0 ? 1 : 0;
        }
        if (namedWhileCapped || paths < 2) {
            return null;
        }
        namedWhileCapped = true;
        return slowest.subflow;
    }

    /** RTT_max: the largest receiver RTT of the paths that carry data, at least {@link #MIN_INTERVAL_NANOS}. */
    private long rttMax() {
        if (rttMaxNow >= 0) {
            return rttMaxNow;
        }
        long max = 0;
        for (Contribution c : contributions) {
            if (c.bytesInInterval > 0 || c.bytesPerSecond > 0) {
                max = Math.max(max, c.rttNanos);
            }
        }
        rttMaxNow = max == 0 ? 0 : Math.max(max, MIN_INTERVAL_NANOS);
        return rttMaxNow;
    }

    /** {@code s}'s contribution, kept on the subflow: looked up twice per data segment, it is not searched for. */
    private Contribution contributionOf(Subflow s) {
        Contribution c = s.receiveContribution;
        if (c == null) {
            c = new Contribution(s);
            contributions.add(c);
            s.receiveContribution = c;
            rttMaxNow = -1;
        }
        return c;
    }

    /** The buffer size to apply: only ever grows, at most the maximum. */
    int bufferBytes() {
        return bufferBytes;
    }

    int maxBytes() {
        return maxBytes;
    }

    /** {@code 2 * sum(BW_i) * RTT_max} at the last interval's end, which may exceed the maximum. */
    long targetBytes() {
        return targetBytes;
    }

    /** RTT_max at the last interval's end. */
    long rttMaxNanos() {
        return rttMaxNanos;
    }

    /** Whether the target exceeded the maximum at the last interval's end. */
    boolean capped() {
        return capped;
    }

    /** BW_i of {@code s} over the last interval, bytes per second (0 if it carried nothing). */
    double bytesPerSecond(Subflow s) {
        for (Contribution c : contributions) {
            if (c.subflow == s) {
                return c.bytesPerSecond;
            }
        }
        return 0;
    }
}
