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
        assertThat(c.toString()).contains("wMax=" + (long) (59.5 * MSS));
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
}
