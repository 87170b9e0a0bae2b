package org.mptcp4j.cc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * CUBIC's first slow start with HyStart++ (RFC 9406): one ACK per segment, a round being a
 * window's worth of ACKs spread over one RTT, with the RTT each ACK measures given by the scenario.
 */
class CubicHyStartTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    /** When the current round's first ACK arrived: the next round's first ACK acknowledges what was sent then. */
    private long roundStartNanos;

    /**
     * Acknowledges one window, segment by segment, each ACK measuring {@code rttNanos}, the first
     * for the segment sent when the previous round's first ACK came, the others for segments sent
     * before that; returns cwnd after it, in segments.
     */
    private long round(Cubic c, long rttNanos) {
        long segments = c.windowBytes() / MSS;
        roundStartNanos += rttNanos;
        for (long i = 0; i < segments; i++) {
            long now = roundStartNanos + i * rttNanos / (segments + 1);
            c.onAck(new AckEvent(now, MSS, rttNanos, rttNanos, 40 * MS, c.windowBytes(), false, true));
        }
        return c.windowBytes() / MSS;
    }

    /** ACKs while the sender is not cwnd-limited (held back by the peer's window, as an MPTCP subflow) at {@code nowNanos}. */
    private static void appLimitedAck(Cubic c, long nowNanos, long rttNanos) {
        c.onAck(new AckEvent(nowNanos, MSS, rttNanos, rttNanos, 40 * MS, c.windowBytes(), false, false));
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

    @Test
    void slowStart_burstsBetweenWindowLimitedAcks_roundsAreRoundTrips_risingRttLeavesSlowStart() {
        // A subflow that sends its window in a burst, then waits on the connection-level window while
        // the ACKs of the burst come back (not cwnd-limited): each burst's first segment finds the
        // queue empty. The rounds must still be round trips, or one round spans several bursts and
        // its minimum is an empty-queue sample (the 30/10 Mbit/s case of simult_flows.sh).
        Cubic c = new Cubic(MSS, 10);
        long now = 0;
        long base = 100 * MS;
        for (int burst = 0; burst < 30 && c.inSlowStart(); burst++) {
            long segments = c.windowBytes() / MSS;
            // The queue a window past the path's 100 segments builds: one ms per segment beyond.
            long queued = Math.max(0, segments - 100) * MS;
            now += base + queued;
            for (long i = 0; i < segments; i++) {
                long rtt = base + queued + i * MS; // one ms per segment of queue at the bottleneck
                long at = now + i * MS;
                if (i < segments / 2) {
                    c.onAck(new AckEvent(at, MSS, rtt, rtt, base, c.windowBytes(), false, true));
                } else {
                    appLimitedAck(c, at, rtt);
                }
            }
            now += segments * MS;
        }
        assertThat(c.inSlowStart()).as("left slow start on the rising RTT").isFalse();
        assertThat(c.windowBytes() / MSS).as("near the path's 100 segments, not many times it").isLessThan(400);
    }
}
