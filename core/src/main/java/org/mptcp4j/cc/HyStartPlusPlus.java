package org.mptcp4j.cc;

/**
 * HyStart++ (RFC 9406): leaves slow start when the round trip starts to grow, before the queue
 * overflows, where standard slow start doubles until a burst of losses. Linux's CUBIC runs its own
 * HyStart (on by default, {@code hystart_detect}); this is the RFC's version of the same idea, with
 * the RFC's constants. The controller asks it how much of an ACK's growth to apply.
 *
 * <p>Only the first slow start uses it (section 4.2: "HyStart++ SHOULD be used only for the
 * initial slow start"); the controller drops it at the first congestion event.
 *
 * <p>Rounds: the RFC ends a round when an ACK covers the SND.NXT of the round's start; a controller
 * does not see sequence numbers, so a round here ends at the first ACK whose RTT sample says the
 * segment it acknowledges was sent after the round began ({@code now - sample >= roundStart}),
 * which is that point. Counting a window's worth of acknowledged bytes instead (as this class
 * did) is the same point only for a sender that keeps its window full: an MPTCP subflow held back
 * by the connection-level window sends in bursts, its ACKs while not cwnd-limited fed no round,
 * and a round then spanned several round trips whose minimum came from the first, empty-queue
 * one. The 10 Mbit/s, 100 ms subflow of {@code simult_flows.sh}'s 30/10 case stayed in slow start
 * that way, its window at 6 times the path's BDP and its RTT at 700 ms. The byte count stays as a
 * fallback for ACKs without samples. Samples of ACKs that are not cwnd-limited count too
 * ({@link #onRttSample}): the RFC takes every ACK's RTT in slow start.
 */
final class HyStartPlusPlus {
    /** RFC 9406 section 4.3: MIN_RTT_THRESH 4 ms, MAX_RTT_THRESH 16 ms, MIN_RTT_DIVISOR 8. */
    static final long MIN_RTT_THRESH_NANOS = 4_000_000L;
    static final long MAX_RTT_THRESH_NANOS = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    /** N_RTT_SAMPLE: RTT samples a round needs before it decides. */
    static final int N_RTT_SAMPLE = 8;
    /** CSS_GROWTH_DIVISOR: conservative slow start grows a quarter as fast. */
    static final int CSS_GROWTH_DIVISOR = 4;
    /** CSS_ROUNDS: rounds of conservative slow start before congestion avoidance. */
    static final int CSS_ROUNDS = 5;
    private static final long NONE = Long.MAX_VALUE;

    private long lastRoundMinRtt = NONE;
    private long currentRoundMinRtt = NONE;
    private int rttSampleCount;
    /** Segments still to be acknowledged before the current round ends (the fallback without samples). */
    private double roundLeftSegments;
    /** When the current round began; {@link #NONE} before the first ACK. */
    private long roundStartNanos = NONE;
    /** Whether an ACK of the current round came while the sender was not cwnd-limited. */
    private boolean roundHeldBack;
    /** cssBaselineMinRtt: NONE while in standard slow start. */
    private long cssBaselineMinRtt = NONE;
    private int cssRounds;

    /**
     * An ACK in slow start with {@code segmentsAcked} newly acknowledged, at window {@code cwnd}
     * (segments), at {@code nowNanos} with RTT sample {@code rttSampleNanos} ({@link
     * AckEvent#NO_SAMPLE} for none). Returns the divisor for the growth to apply: 1 in slow start,
     * {@link #CSS_GROWTH_DIVISOR} in conservative slow start, or 0 when slow start is over (the
     * caller sets ssthresh to cwnd and moves to congestion avoidance).
     */
    int onAck(double segmentsAcked, double cwnd, long rttSampleNanos, long nowNanos) {
        onRttSample(cwnd, rttSampleNanos, nowNanos, true);
        roundLeftSegments -= segmentsAcked;
        boolean decided = rttSampleCount >= N_RTT_SAMPLE && currentRoundMinRtt != NONE;
        if (cssBaselineMinRtt == NONE) {
            if (decided && lastRoundMinRtt != NONE) {
                long thresh = Math.clamp(lastRoundMinRtt / MIN_RTT_DIVISOR, MIN_RTT_THRESH_NANOS, MAX_RTT_THRESH_NANOS);
                if (currentRoundMinRtt >= lastRoundMinRtt + thresh) {
                    cssBaselineMinRtt = currentRoundMinRtt; // section 4.2: enter CSS
                    cssRounds = 0;
                }
            }
            return cssBaselineMinRtt == NONE ? 1 : CSS_GROWTH_DIVISOR;
        }
        // The RTT fell back: the increase was spurious, slow start resumes. Not when the sender was
        // held back in this round (an MPTCP subflow waiting on the connection-level window): its
        // queue drained while it waited, and the next burst's first segments find it empty, which
        // says nothing of the window; the 10 Mbit/s subflow of simult_flows.sh's 30/10 case went
        // back to slow start that way after every burst and never left it.
        if (decided && !roundHeldBack && currentRoundMinRtt < cssBaselineMinRtt) {
            cssBaselineMinRtt = NONE;
            return 1;
        }
        return cssRounds >= CSS_ROUNDS ? 0 : CSS_GROWTH_DIVISOR;
    }

    /**
     * An RTT sample in slow start, also from an ACK that is not cwnd-limited ({@code cwndLimited}
     * false; it grows nothing): it may end the round and counts towards the round's minimum.
     */
    void onRttSample(double cwnd, long rttSampleNanos, long nowNanos, boolean cwndLimited) {
        boolean sample = rttSampleNanos > 0;
        if (roundStartNanos == NONE
                || (sample ? nowNanos - rttSampleNanos >= roundStartNanos : roundLeftSegments <= 0)) {
            newRound(cwnd, nowNanos);
        }
        if (sample) {
            currentRoundMinRtt = Math.min(currentRoundMinRtt, rttSampleNanos);
            rttSampleCount++;
        }
        roundHeldBack |= !cwndLimited;
    }

    private void newRound(double cwnd, long nowNanos) {
        roundStartNanos = nowNanos;
        if (cssBaselineMinRtt != NONE) {
            cssRounds++;
        }
        lastRoundMinRtt = currentRoundMinRtt;
        currentRoundMinRtt = NONE;
        rttSampleCount = 0;
        roundHeldBack = false;
        roundLeftSegments = cwnd;
    }

}
