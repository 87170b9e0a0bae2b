package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;

class FailureInjectionTest {
    private static final long MS = 1_000_000;

    @Test
    void linkDownThenUp_stopsAndRestartsDeliveryAtThoseTimes() {
        // One 1500-byte packet per ms at t = 0, 1, 2, ... ms; each takes 120 us + 10 ms.
        TwoHosts net = new TwoHosts(1, LinkSpec.of(100_000_000L, Duration.ofMillis(10)));
        net.send(net.source().intervalNanos(MS).count(100));
        net.link.downAt(30 * MS + 500_000).upAt(60 * MS + 500_000);

        net.sim.run();

        // Down at 30.5 ms: packets sent at 21..30 ms are on the wire and lost, 31..60 find it down.
        // Up at 60.5 ms: packet 61 (sent at 61 ms) is the first to arrive again, at 71.12 ms.
        for (int seq = 0; seq <= 20; seq++) {
            assertThat(net.sink.hasSeen(seq)).as("seq %d", seq).isTrue();
        }
        for (int seq = 21; seq <= 60; seq++) {
            assertThat(net.sink.hasSeen(seq)).as("seq %d", seq).isFalse();
        }
        for (int seq = 61; seq < 100; seq++) {
            assertThat(net.sink.hasSeen(seq)).as("seq %d", seq).isTrue();
        }
        assertThat(net.link.counters().droppedDown()).isEqualTo(40);
        int firstAfter = 21;
        assertThat(net.sink.arrivalSeq(firstAfter)).isEqualTo(61);
        assertThat(net.sink.arrivalNanos(firstAfter)).isEqualTo(71 * MS + 120_000);
        assertThat(net.sim.pool().inUse()).isZero();
    }

    @Test
    void linkDownDuringSerialization_losesThatPacketAndTheQueue() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(100_000_000L, 0));
        net.send(net.source().burst(10).count(10)); // all queued at t = 0, 120 us apart
        net.link.downAt(300_000).upAt(400_000);

        net.sim.run();

        // Packets 0 and 1 made it (120 and 240 us); packet 2 was in service, 3..9 queued.
        assertThat(net.sink.distinct()).isEqualTo(2);
        assertThat(net.link.counters().droppedDown()).isEqualTo(8);
        assertThat(net.link.counters().packetsSent()).isEqualTo(2);
        assertThat(net.link.isUp()).isTrue();
    }

    @Test
    void reorderedPacketInFlightWhenLinkFails_isDiscardedOnArrival() {
        TwoHosts net = new TwoHosts(3, LinkSpec.of(100_000_000L, Duration.ofMillis(1))
                .withReordering(1.0, Duration.ofMillis(5)));
        net.send(net.source().count(1));
        net.link.downAt(2 * MS).upAt(3 * MS);

        net.sim.run();

        assertThat(net.sink.packets()).isZero();
        assertThat(net.link.counters().reordered()).isEqualTo(1);
        assertThat(net.link.counters().droppedDown()).isEqualTo(1);
        assertThat(net.sim.pool().inUse()).isZero();
    }

    @Test
    void reconfigureAt_changesRateAndDelayForLaterPackets_withoutOvertaking() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(100_000_000L, Duration.ofMillis(10)));
        net.send(net.source().intervalNanos(MS).count(4));
        net.link.reconfigureAt(1_500_000, LinkSpec.of(10_000_000L, Duration.ofMillis(2)));

        net.sim.run();

        // Packets 0 and 1 left at 100 Mbit/s and 10 ms: 10.12 and 11.12 ms. Packets 2 and 3 take
        // 1.2 ms at 10 Mbit/s plus 2 ms, due at 5.2 and 6.2 ms, but may not overtake packet 1.
        assertThat(net.sink.arrivalNanos(0)).isEqualTo(10_120_000);
        assertThat(net.sink.arrivalNanos(1)).isEqualTo(11_120_000);
        assertThat(net.sink.arrivalNanos(2)).isEqualTo(11_120_000);
        assertThat(net.sink.arrivalNanos(3)).isEqualTo(11_120_000);
        assertThat(net.sink.arrivalSeq(3)).isEqualTo(3);
        assertThat(net.sink.reordered()).isZero();
    }

    @Test
    void reconfigureAt_lossyPeriod_losesOnlyWhileItLasts() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(100_000_000L, Duration.ofMillis(1)));
        LinkSpec clean = net.link.spec();
        net.send(net.source().intervalNanos(MS).count(30));
        net.link.reconfigureAt(10 * MS - 1, clean.withLoss(LossModel.bernoulli(1.0)))
                .reconfigureAt(20 * MS - 1, clean);

        net.sim.run();

        assertThat(net.link.counters().droppedLoss()).isEqualTo(10);
        for (int seq = 0; seq < 30; seq++) {
            assertThat(net.sink.hasSeen(seq)).as("seq %d", seq).isEqualTo(seq < 10 || seq >= 20);
        }
    }
}
