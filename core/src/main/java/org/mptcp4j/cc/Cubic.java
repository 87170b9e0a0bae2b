package org.mptcp4j.cc;

/**
 * CUBIC (RFC 9438): the window grows as a cubic function of the time since the last congestion
 * event, with a Reno-friendly region and fast convergence. Windows are kept in segments as
 * {@code double}s, as the RFC writes them. Linux: {@code tcp_cubic.c}; its first slow start ends
 * early by HyStart++ (RFC 9406, {@link HyStartPlusPlus}) as Linux's by its own HyStart.
 *
 * <p>Besides the window arithmetic of RFC 9438 section 4 this class keeps idle and
 * application-limited time out of t (sections 4.2 and 5.8), runs the first congestion avoidance
 * stage after a timeout with K = 0 (section 4.8), restarts from the initial window after an idle
 * period longer than the RTO (RFC 5681 section 4.1) and undoes a spurious reduction (section 4.9).
 */
public final class Cubic implements CongestionController {
    /** RFC 9438 section 5: C = 0.4. */
    static final double C = 0.4;
    /** RFC 9438 section 4.6: beta_cubic = 0.7. */
    static final double BETA = 0.7;
    /** RFC 9438 section 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    private static final long NONE = Long.MIN_VALUE;

    private final int mss;
    /** The restart window of RFC 5681 section 4.1: the initial window, in segments. */
    private final int initialWindow;
    private final boolean fastConvergence = true;
    private double cwnd;
    private double ssthresh = Double.MAX_VALUE;
    private long srttNanos;
    /** The state of the current congestion avoidance stage, and its copy from before the last reduction. */
    private State s = new State();
    private State prior;
    /** When the first application-limited ACK since cwnd last grew in this stage arrived, or {@link #NONE}. */
    private long appLimitedSinceNanos = NONE;
    /** The initial slow start's exit by delay (RFC 9406); null after the first congestion event. */
    private HyStartPlusPlus hystart = new HyStartPlusPlus();

    /**
     * The variables of a congestion avoidance stage: those RFC 9438 section 4.9 saves before a
     * reduction and restores when it was spurious (the saved copy holds cwnd and ssthresh too).
     */
    private static final class State {
        /** Window just before the last reduction, after fast convergence (W_max), in segments. */
        double wMax;
        double k;
        /** W_cubic(K): W_max, or cwnd at the start of the stage when that is larger (Linux bic_origin_point). */
        double originPoint;
        /** The Reno-friendly estimate W_est (section 4.3), in segments. */
        double wEst;
        /** The start of the current congestion avoidance stage (epoch_start), or {@link #NONE}. */
        long epochStartNanos = NONE;
        /** The next stage is the first after a timeout (section 4.8). */
        boolean afterRto;
        /** cwnd and ssthresh when this copy was taken (prior_cwnd, prior_ssthresh). */
        double cwnd;
        double ssthresh;

        State copy() {
            State c = new State();
            c.wMax = wMax;
            c.k = k;
            c.originPoint = originPoint;
            c.wEst = wEst;
            c.epochStartNanos = epochStartNanos;
            c.afterRto = afterRto;
            return c;
        }
    }

    public Cubic(int mss, int initialWindowSegments) {
        this.mss = mss;
        this.initialWindow = initialWindowSegments;
        this.cwnd = initialWindowSegments;
    }

    @Override
    public long windowBytes() {
        return (long) (cwnd * mss);
    }

    @Override
    public long ssthreshBytes() {
        return bytes(ssthresh);
    }

    /** W_max in bytes: the window at the last reduction (after fast convergence, section 4.7), 0 before one. */
    public long wMaxBytes() {
        return bytes(s.wMax);
    }

    /**
     * K in seconds (section 4.2 figure 2): the time the current congestion avoidance stage takes to
     * reach W_max; 0 before the first stage and in the first stage after a timeout (section 4.8).
     */
    public double kSeconds() {
        return s.k;
    }

    private long bytes(double segments) {
        return segments >= Long.MAX_VALUE / mss ? Long.MAX_VALUE : (long) (segments * mss);
    }

    @Override
    public long srttNanos() {
        return srttNanos;
    }

    @Override
    public void onAck(AckEvent event) {
        srttNanos = event.srttNanos();
        if (event.inRecovery()) {
            return;
        }
        long now = event.nowNanos();
        if (!event.cwndLimited()) {
            // Section 5.8: no growth while application-limited, and (section 4.2) t must not include
            // the time: remember when the stage stopped growing, to move its start on by as much.
            if (s.epochStartNanos != NONE && appLimitedSinceNanos == NONE) {
                appLimitedSinceNanos = now;
            }
            return;
        }
        double segmentsAcked = event.bytesAcked() / (double) mss;
        if (cwnd < ssthresh) {
            double growth = Math.min(segmentsAcked, 2.0);
            if (hystart != null) {
                int divisor = hystart.onAck(segmentsAcked, cwnd, event.rttSampleNanos());
                if (divisor == 0) {
                    ssthresh = cwnd; // RFC 9406 section 4.2: CSS_ROUNDS done, congestion avoidance
                    hystart = null;
                    return;
                }
                growth /= divisor;
            }
            cwnd += growth;
            return;
        }
        if (s.epochStartNanos == NONE) {
            startStage(now);
        } else if (appLimitedSinceNanos != NONE) {
            shiftEpoch(now - appLimitedSinceNanos, now);
        }
        appLimitedSinceNanos = NONE;
        double t = (now - s.epochStartNanos) / 1e9;
        double rtt = event.srttNanos() / 1e9;
        // Section 4.2 equation (1) evaluated one RTT ahead, and the target clamped to [cwnd, 1.5 cwnd].
        double target = s.originPoint + C * Math.pow(t + rtt - s.k, 3);
        target = Math.max(cwnd, Math.min(target, 1.5 * cwnd));
        double cubicCwnd = cwnd + (target - cwnd) / cwnd * segmentsAcked;
        // Section 4.3: the Reno-friendly region; alpha becomes 1 once W_est reaches W_max. The RFC
        // compares with cwnd_prior, the window before fast convergence lowered W_max; with it two
        // CUBIC flows shared a bottleneck less fairly in TcpPerformanceTest (Jain 0.95 against 0.996).
        double alpha = s.wEst >= s.wMax ? 1.0 : ALPHA;
        s.wEst += alpha * segmentsAcked / cwnd;
        cwnd = Math.max(cubicCwnd, s.wEst);
    }

    /** Section 4.2: a new congestion avoidance stage starts with this ACK. */
    private void startStage(long now) {
        s.epochStartNanos = now;
        if (s.afterRto) {
            // Section 4.8: the first stage after a timeout has K = 0 and W_max = cwnd at its start.
            s.afterRto = false;
            s.wMax = cwnd;
        }
        if (cwnd < s.wMax) {
            s.k = Math.cbrt((s.wMax - cwnd) / C);
            s.originPoint = s.wMax;
        } else {
            s.k = 0;
            s.originPoint = cwnd;
        }
        // Section 4.3 (and 4.8 after a timeout): W_est starts at cwnd_epoch.
        s.wEst = cwnd;
    }

    /** Moves the start of the stage later by time that must not count in t, never past now (Linux does the same). */
    private void shiftEpoch(long nanos, long now) {
        if (nanos > 0) {
            s.epochStartNanos = Math.min(s.epochStartNanos + nanos, now);
        }
    }

    @Override
    public void onCongestion(LossEvent event) {
        reduce();
        cwnd = ssthresh;
    }

    @Override
    public void onRto(long nowNanos, long bytesInFlight) {
        // Section 4.8: ssthresh as for a congestion event, then cwnd = 1 segment (the loss window of
        // RFC 5681), and the next congestion avoidance stage runs with K = 0.
        reduce();
        s.afterRto = true;
        cwnd = 1;
    }

    private void reduce() {
        // Section 4.9: what a spurious reduction restores.
        prior = s.copy();
        prior.cwnd = cwnd;
        prior.ssthresh = ssthresh;
        // Section 4.7: fast convergence releases bandwidth to new flows.
        s.wMax = (fastConvergence && cwnd < s.wMax) ? cwnd * (1 + BETA) / 2 : cwnd;
        s.epochStartNanos = NONE;
        s.afterRto = false;
        appLimitedSinceNanos = NONE;
        hystart = null; // RFC 9406 section 4.2: the slow starts after a loss are standard
        ssthresh = Math.max(cwnd * BETA, 2.0);
    }

    @Override
    public void onUndo(long nowNanos) {
        if (prior == null) {
            return;
        }
        ssthresh = prior.ssthresh;
        if (cwnd < prior.cwnd) {
            // Section 4.9: restore the stage as it was, so CUBIC goes on as if nothing had been lost.
            cwnd = prior.cwnd;
            s = prior;
            appLimitedSinceNanos = NONE;
        }
        // Otherwise the window has already grown past its old value: "continue to use the current
        // and the most recent values of these variables" (section 4.9).
        prior = null;
    }

    @Override
    public void onTransmitStart(long nowNanos, long idleNanos, long rtoNanos) {
        if (idleNanos > rtoNanos) {
            restart();
            return;
        }
        // Section 5.8 (Linux CA_EVENT_TX_START): the idle time does not count in t; the curve keeps
        // its shape, only later. Idle time already inside an application-limited span counts once.
        if (s.epochStartNanos != NONE) {
            shiftEpoch(idleNanos, nowNanos);
            if (appLimitedSinceNanos != NONE) {
                appLimitedSinceNanos = Math.min(appLimitedSinceNanos + idleNanos, nowNanos);
            }
        }
    }

    /**
     * RFC 5681 section 4.1: after an idle period longer than the RTO, cwnd is at most the restart
     * window (the initial window). ssthresh keeps three quarters of the old window, so slow start
     * brings the flow back towards it (RFC 2861 uses ssthresh to remember it; Linux
     * {@code tcp_cwnd_restart}); the next congestion avoidance stage starts afresh from W_max.
     */
    private void restart() {
        s.epochStartNanos = NONE;
        appLimitedSinceNanos = NONE;
        if (cwnd <= initialWindow) {
            return;
        }
        ssthresh = Math.max(ssthresh, 0.75 * cwnd);
        cwnd = initialWindow;
        // An undo after this would re-inflate the window the restart has just cut.
        prior = null;
    }

    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public String toString() {
        return "cubic cwnd=" + windowBytes() + " ssthresh=" + ssthreshBytes() + " wMax=" + wMaxBytes();
    }
}
