package org.mptcp4j.cc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;

/** Reno (RFC 5681 / 3465) and CUBIC (RFC 9438) window arithmetic, event by event. */
class CongestionControlTest {
    private static final int MSS = 1000;
    private static final long RTT = Nanos.ofMillis(100);

    private static AckEvent ack(long now, long bytes, long inFlight) {
        return new AckEvent(now, bytes, RTT, RTT, RTT, inFlight, false, true);
    }

    /** One MSS acknowledged while the sender had less in flight than cwnd allows (RFC 7661 application-limited). */
    private static AckEvent appLimitedAck(long now) {
        return new AckEvent(now, MSS, RTT, RTT, RTT, MSS, false, false);
    }

    /** A whole window acknowledged at {@code now}, one ACK per segment, the sender limited by cwnd. */
    private static void round(CongestionController c, long now) {
        long w = c.windowBytes();
        for (long acked = 0; acked < w; acked += MSS) {
            c.onAck(ack(now, MSS, w));
        }
    }

    /** CUBIC in congestion avoidance after a fast retransmit at cwnd = 100 segments: cwnd 70, W_max 100. */
    private static Cubic cubicAfterLossAt100() {
        Cubic c = new Cubic(MSS, 100);
        c.onCongestion(new LossEvent(0, 100 * MSS, MSS, RTT));
        return c;
    }

    private static void assertSameState(Cubic actual, Cubic expected) {
        assertThat(actual.windowBytes()).isEqualTo(expected.windowBytes());
        assertThat(actual.ssthreshBytes()).isEqualTo(expected.ssthreshBytes());
        assertThat(actual.wMaxBytes()).isEqualTo(expected.wMaxBytes());
        assertThat(actual.kSeconds()).isEqualTo(expected.kSeconds());
    }

    @Test
    void reno_slowStartGrowsByAtMostTwoMssPerAck() {
        Reno r = new Reno(MSS, 10);
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        r.onAck(ack(0, 2 * MSS, 10 * MSS));
        assertThat(r.windowBytes()).isEqualTo(12 * MSS);
        r.onAck(ack(0, 5 * MSS, 12 * MSS));
        assertThat(r.windowBytes()).isEqualTo(14 * MSS);
        assertThat(r.inSlowStart()).isTrue();
    }

    @Test
    void reno_lossHalvesFlightSize_thenOneMssPerWindowOfAcks() {
        Reno r = new Reno(MSS, 10);
        r.onCongestion(new LossEvent(0, 20 * MSS, MSS, RTT));
        assertThat(r.ssthreshBytes()).isEqualTo(10 * MSS);
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        for (int i = 0; i < 9; i++) {
            r.onAck(ack(0, MSS, 10 * MSS));
        }
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        r.onAck(ack(0, MSS, 10 * MSS));
        assertThat(r.windowBytes()).isEqualTo(11 * MSS);
    }

    @Test
    void reno_rto_lossWindowOfOneSegment() {
        Reno r = new Reno(MSS, 10);
        r.onRto(0, 30 * MSS);
        assertThat(r.windowBytes()).isEqualTo(MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(15 * MSS);
        r.onRto(0, MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(2 * MSS); // never below 2 SMSS (equation 4)
    }

    @Test
    void reno_noGrowthWhenNotCwndLimitedOrInRecovery() {
        Reno r = new Reno(MSS, 10);
        r.onAck(new AckEvent(0, 2 * MSS, RTT, RTT, RTT, MSS, false, false));
        r.onAck(new AckEvent(0, 2 * MSS, RTT, RTT, RTT, 10 * MSS, true, true));
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
    }

    @Test
    void cubic_reducesByBetaAndRegrowsTowardWmaxAlongTheCubic() {
        Cubic c = new Cubic(MSS, 100);
        c.onCongestion(new LossEvent(0, 100 * MSS, MSS, RTT));
        assertThat(c.windowBytes()).isEqualTo(70 * MSS);
        // K = cbrt(W_max (1 - beta) / C) = cbrt(100 * 0.3 / 0.4) ~ 4.22 s: near W_max again after K.
        long now = 0;
        long k = (long) (Math.cbrt(100 * 0.3 / 0.4) * 1e9);
        while (now < k) {
            now += RTT;
            long w = c.windowBytes();
            for (long acked = 0; acked < w; acked += MSS) {
                c.onAck(ack(now, MSS, w));
            }
        }
        assertThat(c.windowBytes()).isBetween(95L * MSS, 106L * MSS);
        // Beyond K the window grows past W_max (convex region).
        for (int i = 0; i < 30; i++) {
            now += RTT;
            long w = c.windowBytes();
            for (long acked = 0; acked < w; acked += MSS) {
                c.onAck(ack(now, MSS, w));
            }
        }
        assertThat(c.windowBytes()).isGreaterThan(110L * MSS);
    }

    @Test
    void cubic_fastConvergence_lowersWmaxOnSuccessiveLosses() {
        Cubic c = new Cubic(MSS, 100);
        c.onCongestion(new LossEvent(0, 100 * MSS, MSS, RTT)); // W_max = 100, cwnd 70
        c.onCongestion(new LossEvent(0, 70 * MSS, MSS, RTT));  // below W_max: W_max = 70 * 1.7 / 2 = 59.5
        assertThat(c.windowBytes()).isEqualTo(49 * MSS);
        assertThat(c.wMaxBytes()).isEqualTo((long) (59.5 * MSS));
        assertThat(c.ssthreshBytes()).isEqualTo(49 * MSS);
    }

    @Test
    void factory_byName_andGroupMembership() {
        CoupledGroup g = new CoupledGroup();
        CongestionController a = ControllerFactory.byName("reno").orElseThrow().create(g, 0, MSS);
        CongestionController b = ControllerFactory.byName("cubic").orElseThrow().create(g, 0, MSS);
        assertThat(g.members()).containsExactly(a, b);
        assertThat(g.totalWindowBytes()).isEqualTo(20L * MSS);
        g.leave(a);
        assertThat(g.members()).containsExactly(b);
        assertThat(ControllerFactory.byName("bbr")).isEmpty();
    }

    // ================================================================ RFC 9438 section 5.8: idle and app-limited time

    @Test
    void cubic_idleTimeDoesNotCountInT_theCurveResumesWhereItLeftOff_rfc9438_5_8() {
        Cubic idle = cubicAfterLossAt100();
        Cubic busy = cubicAfterLossAt100();
        Cubic unshifted = cubicAfterLossAt100();
        long now = 0;
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(idle, now);
            round(busy, now);
            round(unshifted, now);
        }
        // Nothing in flight for 900 ms, less than the 1 s RTO: no restart, only the epoch moves.
        long pause = Nanos.ofMillis(900);
        idle.onTransmitStart(now + pause, pause, Nanos.ofSeconds(1));
        assertThat(idle.windowBytes()).isEqualTo(busy.windowBytes());
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(busy, now);
            round(idle, now + pause);
            round(unshifted, now + pause);
        }
        // The idle flow is where the busy one is after the same sending time, and not where the
        // curve would put it had the pause counted.
        assertThat(idle.windowBytes()).isEqualTo(busy.windowBytes());
        assertThat(unshifted.windowBytes()).isGreaterThan(busy.windowBytes() + 2L * MSS);
    }

    @Test
    void cubic_appLimitedAcks_neitherGrowTheWindowNorAdvanceT_rfc9438_4_2() {
        Cubic limited = cubicAfterLossAt100();
        Cubic busy = cubicAfterLossAt100();
        long now = 0;
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(limited, now);
            round(busy, now);
        }
        long window = limited.windowBytes();
        for (int i = 1; i <= 20; i++) {
            limited.onAck(appLimitedAck(now + i * RTT));
        }
        assertThat(limited.windowBytes()).isEqualTo(window);
        // The 20 RTTs from the first application-limited ACK on do not count: cwnd-limited again,
        // the flow follows the busy one's curve 20 RTTs later.
        long gap = 20 * RTT;
        for (int i = 1; i <= 10; i++) {
            round(busy, now + i * RTT);
            round(limited, now + gap + i * RTT);
            assertThat(limited.windowBytes()).isEqualTo(busy.windowBytes());
        }
    }

    @Test
    void cubic_appLimitedThenIdle_theIdleTimeCountsOnce() {
        Cubic limited = cubicAfterLossAt100();
        Cubic busy = cubicAfterLossAt100();
        long now = 0;
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(limited, now);
            round(busy, now);
        }
        // Application-limited ACKs for 5 RTTs drain the flight, nothing is sent for 5 RTTs, then
        // the sender is cwnd-limited again: 10 RTTs without growth in all.
        for (int i = 1; i <= 5; i++) {
            limited.onAck(appLimitedAck(now + i * RTT));
        }
        limited.onTransmitStart(now + 10 * RTT, 5 * RTT, Nanos.ofSeconds(1));
        for (int i = 1; i <= 10; i++) {
            round(busy, now + i * RTT);
            round(limited, now + 10 * RTT + i * RTT);
            assertThat(limited.windowBytes()).isEqualTo(busy.windowBytes());
        }
    }

    // ================================================================ RFC 9438 section 4.8: after a timeout

    @Test
    void cubic_afterRto_firstStageHasKZeroAndWmaxAtItsStart_rfc9438_4_8() {
        Cubic c = new Cubic(MSS, 100);
        c.onRto(0, 100 * MSS);
        assertThat(c.windowBytes()).isEqualTo(MSS);
        assertThat(c.ssthreshBytes()).isEqualTo(70 * MSS);
        assertThat(c.wMaxBytes()).isEqualTo(100 * MSS);
        long now = 0;
        // Slow start: 1, 2, 4, ... 64; six ACKs into the seventh round cwnd reaches ssthresh.
        for (int i = 0; i < 7; i++) {
            now += RTT;
            round(c, now);
        }
        assertThat(c.inSlowStart()).isFalse();
        // Congestion avoidance began at cwnd = 70: K = 0 and W_max = 70, not K = cbrt(30 / C) ~ 4.2 s
        // towards the W_max of 100 from before the timeout.
        assertThat(c.kSeconds()).isZero();
        assertThat(c.wMaxBytes()).isEqualTo(70 * MSS);
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(c, now);
        }
        // A second later the cubic term has added well under a segment (0.4 * 1.1^3); the window
        // grows as the Reno-friendly W_est, one segment per RTT (alpha is 1 as W_est starts at W_max):
        // about 70 + 11. Towards the old W_max the curve would have reached 100 + 0.4 (1.2 - 4.2)^3
        // ~ 89 segments.
        assertThat(c.windowBytes()).isBetween(80L * MSS, 82L * MSS);
    }

    @Test
    void cubic_fastRetransmitAfterTheRtoStage_usesTheCurveTowardsWmaxAgain() {
        Cubic c = new Cubic(MSS, 100);
        c.onRto(0, 100 * MSS);
        long now = 0;
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(c, now);
        }
        long w = c.windowBytes();
        c.onCongestion(new LossEvent(now, w, MSS, RTT));
        now += RTT;
        round(c, now);
        // Section 4.8 holds for the first stage after the timeout only: this one has K > 0 again.
        assertThat(c.kSeconds()).isGreaterThan(1.0);
        assertThat(c.wMaxBytes()).isEqualTo(w);
    }

    // ================================================================ RFC 5681 section 4.1: restart after idle

    @Test
    void reno_idleLongerThanRto_restartsFromTheInitialWindow_rfc5681_4_1() {
        Reno r = new Reno(MSS, 10);
        for (int i = 0; i < 15; i++) {
            r.onAck(ack(0, 2 * MSS, r.windowBytes()));
        }
        assertThat(r.windowBytes()).isEqualTo(40 * MSS);
        r.onTransmitStart(0, Nanos.ofSeconds(1), Nanos.ofSeconds(1));
        assertThat(r.windowBytes()).as("idle no longer than the RTO").isEqualTo(40 * MSS);
        r.onTransmitStart(0, Nanos.ofSeconds(2), Nanos.ofSeconds(1));
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        // Still before the first loss: slow start goes on without a threshold.
        assertThat(r.ssthreshBytes()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void reno_restartAfterIdle_inCongestionAvoidance_ssthreshKeepsThreeQuartersOfTheWindow() {
        Reno r = new Reno(MSS, 10);
        r.onCongestion(new LossEvent(0, 100 * MSS, MSS, RTT));
        assertThat(r.windowBytes()).isEqualTo(50 * MSS);
        r.onTransmitStart(0, Nanos.ofSeconds(5), Nanos.ofSeconds(1));
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        // max(ssthresh, 3/4 cwnd): the 50 segments set at the loss are more than 3/4 of 50.
        assertThat(r.ssthreshBytes()).isEqualTo(50 * MSS);

        r = new Reno(MSS, 10);
        r.onCongestion(new LossEvent(0, 20 * MSS, MSS, RTT));
        for (int i = 0; i < 4; i++) {
            round(r, 0);
        }
        assertThat(r.windowBytes()).isEqualTo(14 * MSS);
        r.onTransmitStart(0, Nanos.ofSeconds(5), Nanos.ofSeconds(1));
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(14 * MSS * 3 / 4);
        // A window already below the restart window stays as it is.
        r.onRto(0, 10 * MSS);
        r.onTransmitStart(0, Nanos.ofSeconds(5), Nanos.ofSeconds(1));
        assertThat(r.windowBytes()).isEqualTo(MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(5 * MSS);
    }

    @Test
    void cubic_idleLongerThanRto_restartsFromTheInitialWindow_rfc5681_4_1() {
        Cubic c = new Cubic(MSS, 10);
        for (int i = 0; i < 15; i++) {
            c.onAck(ack(0, 2 * MSS, c.windowBytes()));
        }
        assertThat(c.windowBytes()).isEqualTo(40 * MSS);
        c.onTransmitStart(0, Nanos.ofSeconds(1), Nanos.ofSeconds(1));
        assertThat(c.windowBytes()).as("idle no longer than the RTO").isEqualTo(40 * MSS);
        c.onTransmitStart(0, Nanos.ofSeconds(2), Nanos.ofSeconds(1));
        assertThat(c.windowBytes()).isEqualTo(10 * MSS);
        assertThat(c.ssthreshBytes()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void cubic_restartInCongestionAvoidance_nextStageStartsFromWmaxAfresh() {
        Cubic c = new Cubic(MSS, 10);
        for (int i = 0; i < 45; i++) {
            c.onAck(ack(0, 2 * MSS, c.windowBytes()));
        }
        assertThat(c.windowBytes()).isEqualTo(100 * MSS);
        c.onCongestion(new LossEvent(0, 100 * MSS, MSS, RTT));
        long now = 0;
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(c, now);
        }
        long w = c.windowBytes();
        now += Nanos.ofSeconds(10);
        c.onTransmitStart(now, Nanos.ofSeconds(10), Nanos.ofSeconds(1));
        assertThat(c.windowBytes()).isEqualTo(10 * MSS);
        // ssthresh = max(ssthresh, 3/4 cwnd): the 70 segments set at the loss exceed 3/4 of ~86.
        assertThat(w).isBetween(85L * MSS, 87L * MSS);
        assertThat(c.ssthreshBytes()).isEqualTo(70 * MSS);
        while (c.inSlowStart()) {
            now += RTT;
            round(c, now);
        }
        // The new stage starts below W_max = 100: K is the time from its own cwnd, not from the
        // stage that ended 10 s ago (whose t would put the target far above W_max).
        double expectedK = Math.cbrt((100 - c.windowBytes() / (double) MSS) / 0.4);
        assertThat(c.kSeconds()).isCloseTo(expectedK, org.assertj.core.api.Assertions.within(0.05));
        assertThat(c.windowBytes()).isLessThan(100L * MSS);
    }

    @Test
    void cubic_idleLongerThanRto_belowTheRestartWindow_stillStartsANewStage() {
        Cubic c = new Cubic(MSS, 10);
        c.onCongestion(new LossEvent(0, 10 * MSS, MSS, RTT));
        long now = 0;
        for (int i = 0; i < 2; i++) {
            now += RTT;
            round(c, now);
        }
        long w = c.windowBytes();
        assertThat(w).isBetween(7L * MSS, 9L * MSS);
        // Ten idle seconds: the window stays, but t starts again from the next ACK instead of
        // counting the pause, after which the old curve would stand ~0.4 * 8^3 segments above
        // W_max and cwnd would grow by half in one RTT.
        now += Nanos.ofSeconds(10);
        c.onTransmitStart(now, Nanos.ofSeconds(10), Nanos.ofSeconds(1));
        assertThat(c.windowBytes()).isEqualTo(w);
        now += RTT;
        round(c, now);
        assertThat(c.windowBytes()).isLessThan(w + MSS);
    }

    // ================================================================ undo of a spurious reduction

    @Test
    void reno_undoAfterFastRetransmit_restoresWindowAndThreshold() {
        Reno r = new Reno(MSS, 10);
        for (int i = 0; i < 5; i++) {
            r.onAck(ack(0, 2 * MSS, r.windowBytes()));
        }
        r.onCongestion(new LossEvent(0, 20 * MSS, MSS, RTT));
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        r.onUndo(0);
        assertThat(r.windowBytes()).isEqualTo(20 * MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(Long.MAX_VALUE);
        // One reduction, one undo: a second undo finds nothing to restore.
        r.onAck(ack(0, 2 * MSS, r.windowBytes()));
        r.onUndo(0);
        assertThat(r.windowBytes()).isEqualTo(22 * MSS);
    }

    @Test
    void reno_undoAfterRto_restoresWindowAndThreshold() {
        Reno r = new Reno(MSS, 10);
        r.onCongestion(new LossEvent(0, 40 * MSS, MSS, RTT));
        r.onRto(0, 20 * MSS);
        r.onAck(ack(0, 2 * MSS, MSS));
        assertThat(r.windowBytes()).isEqualTo(3 * MSS);
        r.onUndo(0);
        // Only the last reduction is undone: the state after the fast retransmit.
        assertThat(r.windowBytes()).isEqualTo(20 * MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(20 * MSS);
    }

    @Test
    void reno_undo_neverShrinksAWindowThatHasGrownPastTheOldOne() {
        Reno r = new Reno(MSS, 10);
        r.onRto(0, 10 * MSS);
        for (int i = 0; i < 1000 && r.windowBytes() <= 11 * MSS; i++) {
            r.onAck(ack(0, MSS, r.windowBytes()));
        }
        assertThat(r.windowBytes()).isEqualTo(12 * MSS);
        r.onUndo(0);
        assertThat(r.windowBytes()).isEqualTo(12 * MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void undoWithoutAReduction_changesNothing() {
        Reno r = new Reno(MSS, 10);
        r.onUndo(0);
        assertThat(r.windowBytes()).isEqualTo(10 * MSS);
        assertThat(r.ssthreshBytes()).isEqualTo(Long.MAX_VALUE);
        Cubic c = new Cubic(MSS, 10);
        c.onUndo(0);
        assertThat(c.windowBytes()).isEqualTo(10 * MSS);
        assertThat(c.ssthreshBytes()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.wMaxBytes()).isZero();
    }

    @Test
    void cubic_undoAfterFastRetransmit_goesOnAsIfNothingWasLost_rfc9438_4_9() {
        Cubic spurious = cubicAfterLossAt100();
        Cubic reference = cubicAfterLossAt100();
        long now = 0;
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(spurious, now);
            round(reference, now);
        }
        long w = spurious.windowBytes();
        spurious.onCongestion(new LossEvent(now, w, MSS, RTT));
        assertThat(spurious.windowBytes()).isLessThan(w * 3 / 4);
        spurious.onUndo(now + RTT);
        assertSameState(spurious, reference);
        // The epoch is restored too: the window follows the same curve from here on.
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(spurious, now);
            round(reference, now);
        }
        assertSameState(spurious, reference);
    }

    @Test
    void cubic_undoAfterRto_restoresTheStageBeforeTheTimeout() {
        Cubic spurious = cubicAfterLossAt100();
        Cubic reference = cubicAfterLossAt100();
        long now = 0;
        for (int i = 0; i < 5; i++) {
            now += RTT;
            round(spurious, now);
            round(reference, now);
        }
        spurious.onRto(now, spurious.windowBytes());
        now += RTT;
        round(spurious, now);
        spurious.onUndo(now);
        assertSameState(spurious, reference);
        for (int i = 0; i < 10; i++) {
            now += RTT;
            round(spurious, now);
            round(reference, now);
        }
        // No trace of section 4.8's K = 0 stage: the curve towards W_max = 100 goes on.
        assertSameState(spurious, reference);
        assertThat(spurious.wMaxBytes()).isEqualTo(100 * MSS);
    }

    @Test
    void cubic_undo_neverShrinksAWindowThatHasGrownPastTheOldOne() {
        Cubic c = new Cubic(MSS, 10);
        c.onRto(0, 10 * MSS);
        long now = 0;
        for (int i = 0; i < 100 && c.windowBytes() <= 11 * MSS; i++) {
            now += RTT;
            round(c, now);
        }
        long w = c.windowBytes();
        assertThat(w).isGreaterThan(11 * MSS);
        c.onUndo(now);
        assertThat(c.windowBytes()).isEqualTo(w);
        assertThat(c.ssthreshBytes()).isEqualTo(Long.MAX_VALUE);
    }
}
