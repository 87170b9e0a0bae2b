package org.mptcp4j.cc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mptcp4j.base.Nanos;

/**
 * LIA, OLIA and BALIA window arithmetic, ACK by ACK: each is Reno on a single path, and on two
 * paths the coupled increase is what RFC 6356 and the papers write.
 */
class CoupledControllerTest {
    private static final int MSS = 1000;
    private static final long RTT = Nanos.ofMillis(100);

    private static AckEvent ack(long rtt) {
        return new AckEvent(0, MSS, rtt, rtt, rtt, 0, false, true);
    }

    /** A controller in congestion avoidance at {@code segments} segments (after a loss at twice that). */
    private static CongestionController atWindow(CongestionAlgorithm a, CoupledGroup g, int segments) {
        CongestionController c = g.join(switch (a) {
            case LIA -> new Lia(g, MSS, 2 * segments);
            case LIA_EXACT -> new LiaExact(g, MSS, 2 * segments);
            case OLIA -> new Olia(g, MSS, 2 * segments);
            case BALIA -> new Balia(g, MSS, 2 * segments);
            case RENO, CUBIC -> throw new IllegalArgumentException(a.id());
        });
        c.onAck(new AckEvent(0, MSS, RTT, RTT, RTT, 0, false, false)); // the first RTT sample
        c.onCongestion(new LossEvent(0, 2L * segments * MSS, MSS, RTT));
        return c;
    }

    /** Segments acknowledged (one per ACK, RTT {@code rtt}) until cwnd grows by one segment. */
    private static int acksPerIncrement(CongestionController c, long rtt) {
        long w = c.windowBytes();
        int acks = 0;
        while (c.windowBytes() < w + MSS && acks < 1_000_000) {
            c.onAck(ack(rtt));
            acks++;
        }
        return acks;
    }

    @ParameterizedTest
    @EnumSource(value = CongestionAlgorithm.class, names = {"LIA", "LIA_EXACT", "OLIA", "BALIA"})
    void onePath_congestionAvoidance_growsOneSegmentPerWindowLikeReno(CongestionAlgorithm a) {
        CongestionController c = atWindow(a, new CoupledGroup(), 50);
        assertThat(c.windowBytes()).isEqualTo(50 * MSS);
        assertThat(c.inSlowStart()).isFalse();

        int acks = acksPerIncrement(c, RTT);

        // Reno: one segment per cwnd of acknowledged segments; LIA's counter must pass cwnd first.
        assertThat(acks).as(a.id()).isBetween(50, 51);
    }

    @ParameterizedTest
    @EnumSource(value = CongestionAlgorithm.class, names = {"LIA", "LIA_EXACT", "OLIA", "BALIA"})
    void onePath_loss_halvesTheWindowLikeReno(CongestionAlgorithm a) {
        CongestionController c = atWindow(a, new CoupledGroup(), 40);
        c.onCongestion(new LossEvent(0, 40 * MSS, MSS, RTT));
        assertThat(c.windowBytes()).as(a.id()).isEqualTo(20 * MSS);
        assertThat(c.ssthreshBytes()).isEqualTo(20 * MSS);
        c.onRto(0, 20 * MSS);
        assertThat(c.windowBytes()).isEqualTo(MSS);
        assertThat(c.ssthreshBytes()).isEqualTo(10 * MSS);
    }

    @ParameterizedTest
    @EnumSource(value = CongestionAlgorithm.class, names = {"LIA", "LIA_EXACT"})
    void lia_twoEqualPaths_eachGrowsAtAQuarterOfRenosRate(CongestionAlgorithm a) {
        // RFC 6356 section 3: equal RTTs and windows w give alpha = 1/2 and cwnd_total = 2w, so
        // each path gains alpha / cwnd_total = 1/(4w) per ACK, a quarter of Reno's 1/w.
        CoupledGroup g = new CoupledGroup();
        CongestionController first = atWindow(a, g, 50);
        atWindow(a, g, 50);

        int acks = acksPerIncrement(first, RTT);

        assertThat(acks).as(a.id()).isBetween(199, 201);
    }

    @Test
    void lia_fastPathBesideASlowOne_capAtRenoOnTheFastPath() {
        // RFC 6356 section 3: min(alpha / cwnd_total, 1 / cwnd_i). A path with a tiny RTT and a
        // small window beside a large slow one: alpha / cwnd_total exceeds 1/cwnd_i, so the fast
        // path grows as TCP would, no faster.
        CoupledGroup g = new CoupledGroup();
        CongestionController fast = atWindow(CongestionAlgorithm.LIA, g, 10);
        CongestionController slow = atWindow(CongestionAlgorithm.LIA, g, 100);
        slow.onAck(ack(Nanos.ofMillis(1000)));

        int acks = acksPerIncrement(fast, Nanos.ofMillis(1));

        assertThat(acks).isBetween(10, 11);
    }

    @Test
    void lia_alphaWithinTheFixedPointsPrecisionOfExact() {
        CoupledGroup fixed = new CoupledGroup();
        Lia f1 = (Lia) atWindow(CongestionAlgorithm.LIA, fixed, 80);
        atWindow(CongestionAlgorithm.LIA, fixed, 20);
        // Equal RTTs: alpha = cwnd_total * cwnd_max / cwnd_total^2 = 80 / 100.
        assertThat(f1.alpha()).isCloseTo(0.8, within(1.0 / (1 << Lia.ALPHA_SCALE)));
    }

    @Test
    void olia_pathWithTheLargestWindowButFewerBytesBetweenLosses_givesWindowToTheBestPath() {
        // Path a: large window, frequent losses. Path b: smaller window, no loss for long: b is the
        // best path (largest l_r / rtt_r^2) but not a max-window path, so it is collected.
        CoupledGroup g = new CoupledGroup();
        Olia a = (Olia) atWindow(CongestionAlgorithm.OLIA, g, 60);
        Olia b = (Olia) atWindow(CongestionAlgorithm.OLIA, g, 30);
        for (int i = 0; i < 500; i++) {
            b.onAck(new AckEvent(0, MSS, RTT, RTT, RTT, 0, false, false)); // counted, not grown
        }
        assertThat(b.bytesBetweenLosses()).isGreaterThan(a.bytesBetweenLosses());

        // n = 2 paths, one collected, one max-window: alpha = +1/2 on b, -1/2 on a.
        assertThat(b.alpha()).isEqualTo(0.5);
        assertThat(a.alpha()).isEqualTo(-0.5);
        assertThat(acksPerIncrement(b, RTT)).isLessThan(acksPerIncrement(a, RTT));
    }

    @Test
    void olia_noCollectedPath_alphaZero() {
        CoupledGroup g = new CoupledGroup();
        Olia a = (Olia) atWindow(CongestionAlgorithm.OLIA, g, 60);
        Olia b = (Olia) atWindow(CongestionAlgorithm.OLIA, g, 30);
        for (int i = 0; i < 500; i++) {
            a.onAck(new AckEvent(0, MSS, RTT, RTT, RTT, 0, false, false));
        }
        // The best path already has the largest window.
        assertThat(a.alpha()).isZero();
        assertThat(b.alpha()).isZero();
    }

    @Test
    void balia_lossOnTheSlowerPath_backsOffByMoreThanHalf() {
        // Rates 60 and 20 segments per RTT: alpha on the slow path is 3, capped at 1.5: it keeps
        // 1 - 1.5/2 = a quarter of its window; the fast path (alpha 1) keeps half.
        CoupledGroup g = new CoupledGroup();
        CongestionController slow = atWindow(CongestionAlgorithm.BALIA, g, 20);
        CongestionController fast = atWindow(CongestionAlgorithm.BALIA, g, 60);

        slow.onCongestion(new LossEvent(0, 20 * MSS, MSS, RTT));
        fast.onCongestion(new LossEvent(0, 60 * MSS, MSS, RTT));

        assertThat(slow.windowBytes()).isEqualTo(5 * MSS);
        assertThat(fast.windowBytes()).isEqualTo(30 * MSS);
    }

    @Test
    void balia_twoEqualPaths_eachGrowsAtAQuarterOfRenosRate() {
        // x_r / (rtt (2 x_r)^2) = 1/(4 w) with alpha = 1: the same as LIA on equal paths.
        CoupledGroup g = new CoupledGroup();
        CongestionController first = atWindow(CongestionAlgorithm.BALIA, g, 50);
        atWindow(CongestionAlgorithm.BALIA, g, 50);
        assertThat(acksPerIncrement(first, RTT)).isBetween(199, 201);
    }

    @Test
    void byName_knowsTheKernelNames() {
        for (String name : new String[] {"reno", "cubic", "lia", "olia", "balia", "lia-exact"}) {
            assertThat(CongestionAlgorithm.byName(name)).as(name).isPresent();
            assertThat(ControllerFactory.byName(name).orElseThrow().name()).isEqualTo(name);
            CongestionController c = ControllerFactory.byName(name).orElseThrow().create(new CoupledGroup(), 0, MSS);
            assertThat(c.name()).isEqualTo(name);
        }
        assertThat(CongestionAlgorithm.byName("wvegas")).isEmpty();
    }

    @Test
    void membersLeaving_remainingPathGrowsLikeRenoAgain() {
        CoupledGroup g = new CoupledGroup();
        CongestionController first = atWindow(CongestionAlgorithm.LIA, g, 50);
        CongestionController second = atWindow(CongestionAlgorithm.LIA, g, 50);
        g.leave(second);
        assertThat(acksPerIncrement(first, RTT)).isBetween(50, 51);
    }

}
