package org.mptcp4j.cc;

/**
 * What the coupled algorithms (LIA, OLIA, BALIA) share with Reno: slow start, the window after a
 * loss or a timeout, undo and restart after idle. Only congestion avoidance (and for BALIA the
 * size of the reduction) is coupled. RFC 6356 section 3: "The algorithm we present only applies to
 * the increase phase of the congestion avoidance state ... The slow start, fast retransmit, and
 * fast recovery algorithms, as well as the multiplicative decrease of the congestion avoidance
 * state are the same as in standard TCP". Linux (multipath-tcp.org): {@code mptcp_coupled.c},
 * {@code mptcp_olia.c}, {@code mptcp_balia.c} on top of {@code tcp_reno_*}.
 *
 * <p>Windows are bytes; growth smaller than a byte is carried to the next ACK, so no increase is
 * lost to rounding. Nothing here allocates: the ACK path reads the group's members by index.
 */
abstract class CoupledController implements CongestionController {
    private static final long NO_PRIOR = -1;

    final int mss;
    final CoupledGroup group;
    private final long initialWindowBytes;
    long cwndBytes;
    long ssthreshBytes = Long.MAX_VALUE;
    long srttNanos;
    /** Growth not yet in {@link #cwndBytes}, in bytes; always within (-1, 1). */
    private double carryBytes;
    private long priorCwndBytes = NO_PRIOR;
    private long priorSsthreshBytes;

    CoupledController(CoupledGroup group, int mss, int initialWindowSegments) {
        this.group = group;
        this.mss = mss;
        this.initialWindowBytes = (long) initialWindowSegments * mss;
        this.cwndBytes = initialWindowBytes;
    }

    @Override
    public long windowBytes() {
        return cwndBytes;
    }

    @Override
    public long ssthreshBytes() {
        return ssthreshBytes;
    }

    @Override
    public long srttNanos() {
        return srttNanos;
    }

    @Override
    public void onAck(AckEvent event) {
        srttNanos = event.srttNanos();
        onBytesAcked(event.bytesAcked());
        if (event.inRecovery() || !event.cwndLimited()) {
            return;
        }
        if (cwndBytes < ssthreshBytes) {
            // RFC 3465 section 2.2 as in Reno: cwnd += min(N, L * SMSS) with L = 2.
            cwndBytes += Math.min(event.bytesAcked(), 2L * mss);
            group.onWindowChanged();
            return;
        }
        increase(event.bytesAcked());
    }

    /** Every ACK that advances the cumulative acknowledgement, before any window change (OLIA counts them). */
    void onBytesAcked(long bytesAcked) {}

    /** Congestion avoidance: the coupled increase for {@code bytesAcked} newly acknowledged bytes. */
    abstract void increase(long bytesAcked);

    /** A loss episode or a timeout starts, before the window is reduced (OLIA remembers it). */
    void onLoss() {}

    /**
     * The window after a reduction from {@code windowBytes}: half of it, as standard TCP (RFC 6356
     * section 3, RFC 5681 equation 4). BALIA reduces by more on its slower paths.
     */
    double reducedWindowBytes(double windowBytes) {
        return windowBytes / 2;
    }

    @Override
    public void onCongestion(LossEvent event) {
        savePrior();
        onLoss();
        // RFC 5681 equation (4) with FlightSize, which the sender caps at cwnd.
        ssthreshBytes = Math.max((long) reducedWindowBytes(Math.min(cwndBytes, event.bytesInFlight())), 2L * mss);
        cwndBytes = ssthreshBytes;
        carryBytes = 0;
        group.onWindowChanged();
    }

    @Override
    public void onRto(long nowNanos, long bytesInFlight) {
        savePrior();
        onLoss();
        // RFC 5681 section 3.1: ssthresh as after a loss, then cwnd = loss window = 1 SMSS.
        ssthreshBytes = Math.max((long) reducedWindowBytes(Math.min(cwndBytes, bytesInFlight)), 2L * mss);
        cwndBytes = mss;
        carryBytes = 0;
        group.onWindowChanged();
    }

    private void savePrior() {
        priorCwndBytes = cwndBytes;
        priorSsthreshBytes = ssthreshBytes;
    }

    @Override
    public void onUndo(long nowNanos) {
        if (priorCwndBytes == NO_PRIOR) {
            return;
        }
        // As Reno (Linux tcp_reno_undo_cwnd): the window never shrinks on undo.
        cwndBytes = Math.max(cwndBytes, priorCwndBytes);
        ssthreshBytes = priorSsthreshBytes;
        priorCwndBytes = NO_PRIOR;
        group.onWindowChanged();
    }

    @Override
    public void onTransmitStart(long nowNanos, long idleNanos, long rtoNanos) {
        if (idleNanos <= rtoNanos || cwndBytes <= initialWindowBytes) {
            return;
        }
        // RFC 5681 section 4.1, as Reno: restart from the initial window, ssthresh keeps 3/4 of the old one.
        ssthreshBytes = Math.max(ssthreshBytes, cwndBytes / 4 * 3);
        cwndBytes = initialWindowBytes;
        carryBytes = 0;
        priorCwndBytes = NO_PRIOR;
        group.onWindowChanged();
    }

    /**
     * Adds {@code bytes} (possibly fractional, negative for OLIA's max-window paths) to cwnd,
     * carrying what is below a byte; cwnd stays at least one segment.
     */
    final void grow(double bytes) {
        carryBytes += bytes;
        long whole = (long) carryBytes;
        if (whole == 0) {
            return;
        }
        carryBytes -= whole;
        cwndBytes = Math.max(cwndBytes + whole, mss);
        group.onWindowChanged();
    }

    /** Nanoseconds as seconds, at least a microsecond, so a rate or 1/rtt^2 never divides by zero. */
    static double seconds(long nanos) {
        return Math.max(nanos, 1000) / 1e9;
    }

    @Override
    public String toString() {
        return name() + " cwnd=" + cwndBytes + " ssthresh=" + ssthreshBytes;
    }
}
