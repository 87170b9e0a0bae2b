package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.UdpSource;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;

class DeterminismTest {

    /** Runs a lossy, reordering, duplicating, corrupting two-path network and hashes every delivery. */
    private static String traceHash(long seed) {
        return traceHash(new Simulation(seed));
    }

    private static String traceHash(Simulation sim) {
        PathSpec a = PathSpec.of(100_000_000, Duration.ofMillis(10))
                .withLoss(LossModel.bernoulli(0.01)).withQueue(QueueLimit.packets(50));
        PathSpec b = PathSpec.of(40_000_000, Duration.ofMillis(30))
                .withLoss(LossModel.GilbertElliott.gilbert(0.01, 0.3));
        PerformanceTestbed bed = Topologies.performanceTestbed(sim, a, b);
        Link impaired = sim.link(bed.router(), bed.destination(), LinkSpec.of(50_000_000, Duration.ofMillis(3))
                .withReordering(0.05, Duration.ofMillis(2)).withDuplication(0.02).withCorruption(0.01));
        bed.router().sourceRoute("198.18.11.2/32", "198.18.12.99/32", impaired);
        bed.destination().address("198.18.12.99");

        TraceDigest digest = new TraceDigest();
        sim.observeAllLinks(digest);
        EndpointGroup mux = new EndpointGroup(
                UdpSource.from(bed.pathA().sourceAddress()).to(bed.pathA().destinationAddress())
                        .rateBps(120_000_000).count(3000).build(),
                UdpSource.from(bed.pathB().sourceAddress()).to(bed.pathB().destinationAddress())
                        .ports(40_001, 5002).burst(4).rateBps(30_000_000).count(2000).build(),
                UdpSource.from(bed.pathA().sourceAddress()).to("198.18.12.99")
                        .ports(40_002, 5003).rateBps(20_000_000).count(1000).build());
        bed.source().attach(mux);
        CountingSink sink = new CountingSink();
        bed.destination().attach(sink);

        sim.run();
        assertThat(sink.packets()).isPositive();
        assertThat(digest.packets()).isGreaterThan(sink.packets());
        return digest.hex();
    }

    @Test
    void sameSeed_givesBitIdenticalTraces() {
        assertThat(traceHash(42)).isEqualTo(traceHash(42));
    }

    @Test
    void bothEventQueues_giveTheSameTrace() {
        assertThat(traceHash(new Simulation(42, new BinaryHeapQueue())))
                .isEqualTo(traceHash(new Simulation(42, new QuaternaryHeapQueue())));
    }

    @Test
    void differentSeed_givesADifferentTrace() {
        assertThat(traceHash(42)).isNotEqualTo(traceHash(43));
    }
}
