package org.mptcp4j.cc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * CUBIC's first slow start with HyStart++ (RFC 9406): one ACK per segment, a round being a
 * window's worth of ACKs, with the RTT each ACK measures given by the scenario.
 */
class CubicHyStartTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    /** Acknowledges one window, segment by segment, each ACK measuring {@code rttNanos}; returns cwnd after it, in segments. */
    private static long round(Cubic c, long rttNanos) {
        long segments = c.windowBytes() / MSS;
        for (long i = 0; i < segments; i++) {
            c.onAck(new AckEvent(0, MSS, rttNanos, rttNanos, 40 * MS, c.windowBytes(), false, true));
        }
        return c.windowBytes() / MSS;
    }

    @Test
    void slowStart_flatRtt_doublesEveryRound_andStaysInSlowStart() {
        Cubic c = new Cubic(MSS, 10);
        for (int i = 0; i < 6; i++) {
            round(c, 40 * MS);
        }
        assertThat(c.windowBytes() / MSS).isEqualTo(640);
        assertThat(c.inSlowStart()).isTrue();
    }

    @Test
    void slowStart_rttGrowsByAQueue_growsAQuarterAsFastForFiveRounds_thenLeavesSlowStart() {
        Cubic c = new Cubic(MSS, 10);
        round(c, 40 * MS);
        round(c, 40 * MS);                              // 40 segments, baseline 40 ms
        long atCss = round(c, 50 * MS);                 // 10 ms more than 40 + max(4, 40/8 = 5) ms: CSS from here
        assertThat(atCss).as("the round that saw the rise still grew mostly at full speed").isBetween(41L, 80L);
        long before = atCss;
        for (int r = 0; r < 4; r++) {
            long after = round(c, 50 * MS);
            // A quarter of doubling, give or take the segment a round's edge moves by.
            assertThat(after).as("conservative slow start").isBetween(before + before / 4 - 1, before + before / 4 + 2);
            before = after;
        }
        assertThat(c.inSlowStart()).isTrue();
        round(c, 50 * MS);
        assertThat(c.inSlowStart()).as("CSS_ROUNDS done: congestion avoidance at the window reached").isFalse();
        assertThat(c.ssthreshBytes()).isLessThanOrEqualTo(c.windowBytes());
    }

    @Test
    void conservativeSlowStart_rttFallsBack_resumesStandardSlowStart() {
        Cubic c = new Cubic(MSS, 10);
        round(c, 40 * MS);
        round(c, 40 * MS);
        round(c, 50 * MS);
        long inCss = round(c, 50 * MS);
        long after = round(c, 30 * MS);                 // below the CSS baseline: the rise was spurious
        assertThat(after).isGreaterThan(inCss + inCss / 2);
        long next = round(c, 30 * MS);
        assertThat(next).as("doubling again").isBetween(2 * after - 2, 2 * after + 2);
    }
}
