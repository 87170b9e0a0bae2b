package org.mptcp4j.cc;

/**
 * Reno congestion control (RFC 5681) with appropriate byte counting (RFC 3465, L = 2 SMSS in slow
 * start). Fast recovery itself (NewReno RFC 6582 or SACK RFC 6675) is the sender's job; this class
 * only sets the window at its start and end, undoes a spurious reduction and restarts after idle
 * (RFC 5681 section 4.1). Linux: {@code tcp_reno_cong_avoid},
 * {@code tcp_reno_ssthresh}.
 */
public final class Reno implements CongestionController {
    /** RFC 6928 initial window. */
    public static final int INITIAL_WINDOW_SEGMENTS = 10;

    /**
     * RFC 6928 section 2: "IW = min (10*MSS, max (2*MSS, 14600))", in whole segments: ten for
     * Ethernet-sized segments, fewer for jumbo ones, never below two.
     */
    public static int initialWindowSegments(int mss) {
        return Math.min(INITIAL_WINDOW_SEGMENTS, Math.max(2, 14_600 / Math.max(mss, 1)));
    }

    private static final long NO_PRIOR = -1;

    private final int mss;
    /** The restart window of RFC 5681 section 4.1: the initial window, in bytes. */
    private final long initialWindowBytes;
    private long cwndBytes;
    private long ssthreshBytes = Long.MAX_VALUE;
    /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465 bytes_acked). */
    private long bytesAckedInCa;
    private long srttNanos;
    /** cwnd and ssthresh before the last reduction, for {@link #onUndo}; {@link #NO_PRIOR} when there is none. */
    private long priorCwndBytes = NO_PRIOR;
    private long priorSsthreshBytes;

    public Reno(int mss, int initialWindowSegments) {
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
        if (event.inRecovery() || !event.cwndLimited()) {
            return;
        }
        if (cwndBytes < ssthreshBytes) {
            // RFC 3465 section 2.2: cwnd += min(N, L * SMSS) with L = 2.
            cwndBytes += Math.min(event.bytesAcked(), 2L * mss);
            return;
        }
        // RFC 5681 section 3.1 / RFC 3465 section 2.1: one SMSS per cwnd of acknowledged bytes.
        bytesAckedInCa += event.bytesAcked();
        if (bytesAckedInCa >= cwndBytes) {
            bytesAckedInCa -= cwndBytes;
            cwndBytes += mss;
        }
    }

    @Override
    public void onCongestion(LossEvent event) {
        savePrior();
        // RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS); RFC 6675 sets cwnd = ssthresh.
        ssthreshBytes = Math.max(event.bytesInFlight() / 2, 2L * mss);
        cwndBytes = ssthreshBytes;
        bytesAckedInCa = 0;
    }

    @Override
    public void onRto(long nowNanos, long bytesInFlight) {
        savePrior();
        // RFC 5681 section 3.1: equation (4), then cwnd = loss window = 1 SMSS.
        ssthreshBytes = Math.max(bytesInFlight / 2, 2L * mss);
        cwndBytes = mss;
        bytesAckedInCa = 0;
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
        // Linux tcp_undo_cwnd_reduction with tcp_reno_undo_cwnd: the window never shrinks on undo.
        cwndBytes = Math.max(cwndBytes, priorCwndBytes);
        ssthreshBytes = priorSsthreshBytes;
        priorCwndBytes = NO_PRIOR;
    }

    @Override
    public void onTransmitStart(long nowNanos, long idleNanos, long rtoNanos) {
        if (idleNanos <= rtoNanos || cwndBytes <= initialWindowBytes) {
            return;
        }
        // RFC 5681 section 4.1: after an idle period longer than the RTO, cwnd is at most the restart
        // window (the initial window). ssthresh keeps three quarters of the old window, so slow start
        // brings the flow back towards it (RFC 2861 uses ssthresh to remember it; Linux tcp_cwnd_restart).
        ssthreshBytes = Math.max(ssthreshBytes, cwndBytes / 4 * 3);
        cwndBytes = initialWindowBytes;
        bytesAckedInCa = 0;
        // An undo after this would re-inflate the window the restart has just cut.
        priorCwndBytes = NO_PRIOR;
    }

    @Override
    public String name() {
        return "reno";
    }

    @Override
    public String toString() {
        return "reno cwnd=" + cwndBytes + " ssthresh=" + ssthreshBytes;
    }
}
