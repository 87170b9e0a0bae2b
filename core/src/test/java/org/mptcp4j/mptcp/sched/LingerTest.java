package org.mptcp4j.mptcp.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The linger time upstream Linux's default scheduler ranks subflows by. */
class LingerTest {
    private static final long MS = 1_000_000L;

    @Test
    void fullWindowInCongestionAvoidance_lingersItsRoundTripOverLinuxsPacingRatio() {
        // 100 KB in flight, all of a 100 KB window, 50 ms: sent at 1.2 x 100 KB / 50 ms.
        assertThat(Linger.lingerNanos(100_000, 100_000, 50_000, 50 * MS)).isCloseTo(50 * MS / 1.2, within(1.0));
    }

    @Test
    void inSlowStart_theRateCountsTwice_soTheSameBytesLingerLess() {
        double slowStart = Linger.lingerNanos(100_000, 100_000, Long.MAX_VALUE, 50 * MS);
        assertThat(slowStart).isCloseTo(25 * MS, within(1.0));
        assertThat(slowStart).isLessThan(Linger.lingerNanos(100_000, 100_000, 100_000, 50 * MS));
    }

    @Test
    void aPathThatHoldsLessThanItsWindow_lingersLess_thanAFasterPathThatIsFull() {
        // A 100 ms path holding a tenth of its window drains before a full 20 ms path does.
        double slowPathNearlyEmpty = Linger.lingerNanos(30_000, 300_000, 0, 100 * MS);
        double fastPathFull = Linger.lingerNanos(250_000, 250_000, 0, 20 * MS);
        assertThat(slowPathNearlyEmpty).isLessThan(fastPathFull);
    }

    @Test
    void nothingInFlightOrNoRttYet_lingersNotAtAll() {
        assertThat(Linger.lingerNanos(0, 100_000, 0, 50 * MS)).isZero();
        assertThat(Linger.lingerNanos(10_000, 100_000, 0, 0)).isZero();
    }
}
