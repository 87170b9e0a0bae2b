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
 * does not see sequence numbers, so a round here ends once a window's worth of the window at its
 * start was acknowledged, which is the same point for a sender that keeps its window full.
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
    /** Bytes still to be acknowledged before the current round ends. */
    private double roundLeftSegments;
    /** cssBaselineMinRtt: NONE while in standard slow start. */
    private long cssBaselineMinRtt = NONE;
    private int cssRounds;

    /**
     * An ACK in slow start with {@code segmentsAcked} newly acknowledged, at window {@code cwnd}
     * (segments). Returns the divisor for the growth to apply: 1 in slow start, {@link
     * #CSS_GROWTH_DIVISOR} in conservative slow start, or 0 when slow start is over (the caller
     * sets ssthresh to cwnd and moves to congestion avoidance).
     */
    int onAck(double segmentsAcked, double cwnd, long rttSampleNanos) {
        if (roundLeftSegments <= 0) {
            newRound(cwnd);
        }
        roundLeftSegments -= segmentsAcked;
        if (rttSampleNanos > 0) {
            currentRoundMinRtt = Math.min(currentRoundMinRtt, rttSampleNanos);
            rttSampleCount++;
        }
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
        if (decided && currentRoundMinRtt < cssBaselineMinRtt) {
            cssBaselineMinRtt = NONE; // the RTT fell back: the increase was spurious, slow start resumes
            return 1;
        }
        return cssRounds >= CSS_ROUNDS ? 0 : CSS_GROWTH_DIVISOR;
    }

    private void newRound(double cwnd) {
        if (cssBaselineMinRtt != NONE) {
            cssRounds++;
        }
        lastRoundMinRtt = currentRoundMinRtt;
        currentRoundMinRtt = NONE;
        rttSampleCount = 0;
        roundLeftSegments = cwnd;
    }

}
