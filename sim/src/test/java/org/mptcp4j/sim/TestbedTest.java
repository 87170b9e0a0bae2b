package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.sim.topo.CongestionTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.UdpSource;

class TestbedTest {
    private static final long MBPS = 1_000_000;

    private static PerformanceTestbed fig3() {
        return Topologies.performanceTestbed(
                PathSpec.of(100 * MBPS, Duration.ofMillis(10)),
                PathSpec.of(100 * MBPS, Duration.ofMillis(100)));
    }

    @Test
    void performanceTestbed_eachSourceAddressStaysOnItsOwnPath() {
        PerformanceTestbed bed = fig3();
        bed.source().attach(new EndpointGroup(
                UdpSource.from("198.18.11.2").to("198.18.12.2").count(100).intervalNanos(200_000).build(),
                UdpSource.from("198.18.21.2").to("198.18.22.2").count(50).intervalNanos(200_000).build()));
        CountingSink sink = new CountingSink();
        bed.destination().attach(sink);

        bed.sim().run();

        assertThat(sink.packets()).isEqualTo(150);
        assertThat(bed.pathA().sourceSide().aToB().counters().packetsSent()).isEqualTo(100);
        assertThat(bed.pathA().destinationSide().aToB().counters().packetsSent()).isEqualTo(100);
        assertThat(bed.pathB().sourceSide().aToB().counters().packetsSent()).isEqualTo(50);
        assertThat(bed.pathB().destinationSide().aToB().counters().packetsSent()).isEqualTo(50);
        // Path B's extra 90 ms of one-way delay shows in the worst delay.
        assertThat(sink.maxDelayNanos()).isEqualTo(100_000_000L + 2 * 120_000);
    }

    @Test
    void performanceTestbed_routerForwardsBySourceNotByDestination() {
        // From A's address to B's destination address: the router keeps it on path A.
        PerformanceTestbed bed = fig3();
        bed.source().attach(UdpSource.from("198.18.11.2").to("198.18.22.2").count(10).build());
        CountingSink sink = new CountingSink();
        bed.destination().attach(sink);

        bed.sim().run();

        assertThat(sink.packets()).isEqualTo(10);
        assertThat(bed.pathA().destinationSide().aToB().counters().packetsSent()).isEqualTo(10);
        assertThat(bed.pathB().destinationSide().aToB().counters().packetsSent()).isZero();
        assertThat(bed.router().forwarded()).isEqualTo(10);
    }

    @Test
    void performanceTestbed_repliesReturnOnThePathOfTheirSourceAddress() {
        PerformanceTestbed bed = fig3();
        UdpSource replyA = UdpSource.from("198.18.12.2").to("198.18.11.2").count(7).build();
        UdpSource replyB = UdpSource.from("198.18.22.2").to("198.18.11.2").count(3).build();
        bed.destination().attach(new EndpointGroup(replyA, replyB));
        CountingSink sink = new CountingSink();
        bed.source().attach(sink);

        bed.sim().run();

        assertThat(sink.packets()).isEqualTo(10);
        assertThat(bed.pathA().sourceSide().bToA().counters().packetsSent()).isEqualTo(7);
        assertThat(bed.pathB().sourceSide().bToA().counters().packetsSent()).isEqualTo(3);
    }

    @Test
    void performanceTestbed_pathFailure_stopsOnlyThatPath() {
        PerformanceTestbed bed = fig3();
        bed.source().attach(new EndpointGroup(
                UdpSource.from("198.18.11.2").to("198.18.12.2").count(100).intervalNanos(1_000_000).build(),
                UdpSource.from("198.18.21.2").to("198.18.22.2").count(100).intervalNanos(1_000_000).build()));
        CountingSink sink = new CountingSink();
        bed.destination().attach(sink);
        bed.pathB().downAt(0);

        bed.sim().run();

        assertThat(sink.packets()).isEqualTo(100);
        assertThat(bed.pathB().sourceSide().aToB().counters().droppedDown()).isEqualTo(100);
    }

    @Test
    void congestionTestbed_twoSendersOverload100MbpsBottleneck_queueDropsAndServerGetsLineRate() {
        CongestionTestbed bed = Topologies.congestionTestbed();
        long n = 20_000;
        // Each sender offers 80 Mbit/s: 160 into 100, so 60 % of the excess is dropped at the router.
        bed.tcpSender().attach(UdpSource.from(CongestionTestbed.TCP_SENDER_ADDRESS)
                .to(CongestionTestbed.SERVER_ADDRESS).rateBps(80 * MBPS).count(n).build());
        bed.mptcpSender().attach(UdpSource.from(CongestionTestbed.MPTCP_SENDER_ADDRESS)
                .to(CongestionTestbed.SERVER_ADDRESS).rateBps(80 * MBPS).count(n).build());
        CountingSink sink = new CountingSink();
        bed.server().attach(sink);

        bed.sim().run();

        Link neck = bed.bottleneck().aToB();
        assertThat(bed.tcpAccess().aToB().counters().droppedQueue()).isZero();
        assertThat(neck.counters().droppedQueue()).isPositive();
        assertThat(neck.counters().packetsSent() + neck.counters().droppedQueue()).isEqualTo(2 * n);
        assertThat(sink.packets()).isEqualTo(neck.counters().packetsSent());
        // From the first arrival on, the bottleneck never idles: every later packet took 120 us.
        double seconds = (sink.lastArrivalNanos() - sink.firstArrivalNanos()) / 1e9;
        double mbps = (sink.bytes() - 1500) * 8 / seconds / 1e6;
        assertThat(mbps).isCloseTo(100.0, within(1e-9));
    }
}
