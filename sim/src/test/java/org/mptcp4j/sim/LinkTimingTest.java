package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.QueueLimit;

class LinkTimingTest {
    private static final long MBPS_100 = 100_000_000L;

    @Test
    void packet1500Bytes_100MbpsLink10ms_arrives10_12msAfterSending() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(MBPS_100, Duration.ofMillis(10)));
        net.send(net.source().payloadBytes(1472).count(1).startNanos(5_000));

        net.sim.run();

        assertThat(net.sink.arrivals()).isEqualTo(1);
        // 1500 B * 8 / 100 Mbit/s = 120 us of serialization, then 10 ms of propagation.
        assertThat(net.sink.arrivalNanos(0)).isEqualTo(5_000 + 10_120_000L);
        assertThat(net.sink.bytes()).isEqualTo(1500);
    }

    @Test
    void backToBackPackets_areSpacedByTheirSerializationTime() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(MBPS_100, Duration.ofMillis(10)));
        net.send(net.source().payloadBytes(1472).burst(10).count(10));

        net.sim.run();

        assertThat(net.sink.arrivals()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            assertThat(net.sink.arrivalSeq(i)).isEqualTo(i);
            assertThat(net.sink.arrivalNanos(i)).isEqualTo(10_000_000L + (i + 1) * 120_000L);
        }
    }

    @Test
    void mixedSizes_eachWaitsForThePreviousSerialization() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(8_000_000, 0)); // 1 byte per microsecond
        Host a = net.a;
        net.sim.schedule(0, (now, arg) -> {
            a.send(udp(1000, 0));
            a.send(udp(100, 1));
            a.send(udp(500, 2));
        }, null);

        net.sim.run();

        assertThat(net.sink.arrivalNanos(0)).isEqualTo(1_000_000);
        assertThat(net.sink.arrivalNanos(1)).isEqualTo(1_100_000);
        assertThat(net.sink.arrivalNanos(2)).isEqualTo(1_600_000);
    }

    @Test
    void zeroDelayLink_deliversAsTheLastBitLeaves_beforeOtherEventsOfTheSameNanosecond() {
        // A zero-delay link delivers within the event that completes the serialization, even when
        // another event, scheduled earlier, is due at the same nanosecond: that one runs after.
        TwoHosts net = new TwoHosts(1, LinkSpec.of(8_000_000, 0)); // 1 byte per microsecond
        java.util.List<String> order = new java.util.ArrayList<>();
        net.link.observeReceive((now, link, p) -> order.add("delivered at " + now));
        Host a = net.a;
        net.sim.schedule(0, (now, arg) -> {
            a.send(udp(1000, 0)); // serialized by 1_000_000
            net.sim.schedule(1_000_000, (t, x) -> order.add("other event at " + t), null);
        }, null);
        net.sim.schedule(3_000_000, (now, arg) -> a.send(udp(1000, 1)), null); // nothing else due then

        net.sim.run();

        assertThat(order).containsExactly("delivered at 1000000", "other event at 1000000", "delivered at 4000000");
        // Counted as the pipe events they replace: two sends, two serializations, two deliveries, the other event.
        assertThat(net.sim.eventsProcessed()).isEqualTo(7);
    }

    @Test
    void serializationTime_isRoundedUpToTheNanosecond() {
        LinkSpec spec = LinkSpec.of(3_000_000_000L, 0);
        assertThat(spec.serializationNanos(1500)).isEqualTo(4000);
        assertThat(spec.serializationNanos(1)).isEqualTo(3); // 8/3 ns
    }

    @Test
    void burstBeyondPacketLimit_dropsExactlyTheExcess() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(MBPS_100, Duration.ofMillis(1))
                .withQueue(QueueLimit.packets(100)));
        net.send(net.source().burst(150).count(150));

        net.sim.run();

        // The queue holds 100 packets (the one in service included); 50 find it full.
        assertThat(net.link.counters().droppedQueue()).isEqualTo(50);
        assertThat(net.link.counters().packetsSent()).isEqualTo(100);
        assertThat(net.sink.distinct()).isEqualTo(100);
        assertThat(net.sink.hasSeen(99)).isTrue();
        assertThat(net.sink.hasSeen(100)).isFalse();
    }

    @Test
    void burstBeyondByteLimit_dropsWhatDoesNotFit() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(MBPS_100, 0).withQueue(QueueLimit.bytes(10_000)));
        net.send(net.source().payloadBytes(972).burst(20).count(20)); // 1000-byte packets

        net.sim.run();

        assertThat(net.link.counters().droppedQueue()).isEqualTo(10);
        assertThat(net.sink.distinct()).isEqualTo(10);
    }

    @Test
    void queueThatDrainsInTime_dropsNothing() {
        // 50 Mbit/s offered into 100 Mbit/s: the queue never holds more than one packet.
        TwoHosts net = new TwoHosts(1, LinkSpec.of(MBPS_100, Duration.ofMillis(1))
                .withQueue(QueueLimit.packets(1)));
        net.send(net.source().rateBps(50_000_000).count(1000));

        net.sim.run();

        assertThat(net.link.counters().droppedQueue()).isZero();
        assertThat(net.sink.distinct()).isEqualTo(1000);
        assertThat(net.sink.maxDelayNanos()).isEqualTo(1_120_000);
    }

    @Test
    void queueSamples_seeTheBacklogOfATrain() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(MBPS_100, 0));
        QueueSamples samples = net.link.sampleQueue(120_000, 2_400_000);
        net.send(net.source().burst(20).count(20).startNanos(1));

        net.sim.run();

        // Sampled at 0, 120 us, ...: before the train, then 20, 19, ... packets (the first leaves at 121 us).
        assertThat(samples.count()).isEqualTo(21);
        assertThat(samples.packets(0)).isZero();
        assertThat(samples.packets(1)).isEqualTo(20);
        assertThat(samples.packets(2)).isEqualTo(19);
        assertThat(samples.maxPackets()).isEqualTo(20);
        assertThat(samples.bytes(1)).isEqualTo(20 * 1500);
    }

    static java.nio.ByteBuffer udp(int totalBytes, long seq) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(totalBytes);
        org.mptcp4j.sim.traffic.Ipv4Udp.write(b, Prefix.addressBytes(TwoHosts.A),
                Prefix.addressBytes(TwoHosts.B), 1, 2, 0, seq, 0, totalBytes - 28);
        return b.flip();
    }
}
