package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.QueueSamples;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * TCP Small Queues on a simulated host ({@code StackEndpoint.withSmallQueues}): the client's own
 * links are the bottlenecks (20 Mbit/s each, Linux's 1000-packet queue), and both ends send 8 MiB
 * at once over two subflows with a light random loss. Without TSQ the client's bulk sender fills
 * its own queues, as a sender without TSQ does; with it, as Linux since 3.6, a few packets wait
 * there and the rest stays in the send buffer, and both streams arrive as fast and intact.
 */
class SmallQueuesTest {
    private static final long SEED = 5;
    private static final long BYTES = 8L << 20;

    private static MptcpScenario scenario(boolean smallQueues) {
        LossModel loss = LossModel.bernoulli(0.001);
        PathSpec[] paths = {
            PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(loss).withReverseLoss(loss),
            PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(loss).withReverseLoss(loss)};
        StackConfig base = StackConfig.defaults();
        return new MptcpScenario(SEED, BYTES, paths, bed -> base.withMptcp(MptcpConfig.defaults()
                .withEndpoints(MptcpScenario.subflowEndpoints(bed)).withLimits(new Limits(1, 0))),
                base, false, smallQueues, org.mptcp4j.sim.topo.MultipathTestbed.SERVER_ADDRESS);
    }

    private record Outcome(double seconds, int peakQueue, long queueDrops) {}

    private static Outcome run(boolean smallQueues) {
        MptcpScenario s = scenario(smallQueues);
        Link a = s.bed.path(0).link().aToB();
        Link b = s.bed.path(1).link().aToB();
        QueueSamples qa = a.sampleQueue(Nanos.ofMillis(1), Nanos.ofSeconds(60));
        QueueSamples qb = b.sampleQueue(Nanos.ofMillis(1), Nanos.ofSeconds(60));
        s.assertIntact(s.run(Nanos.ofSeconds(60)));
        s.assertEverySubflowCarriedDataBothWays(2);
        return new Outcome(Nanos.toSeconds(s.sim.nowNanos()), Math.max(qa.maxPackets(), qb.maxPackets()),
                a.counters().droppedQueue() + b.counters().droppedQueue());
    }

    /**
     * Path B goes down mid-transfer with TSQ on: the packets its queue held and those sent to it
     * while it is down are dropped, and each drop hands its charge back as a departure would. Had
     * one been lost, the subflow would count bytes in its device for ever and never send again;
     * it carries data again once the path is back, and both streams arrive intact.
     */
    @Test
    void pathDownThenUp_droppedPacketsGiveTheirChargesBack_theSubflowSendsAgain() {
        MptcpScenario s = scenario(true);
        assertThat(s.runUntilRead(BYTES / 4, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        s.bed.path(1).downAt(s.sim.nowNanos());
        s.sim.runUntil(s.sim.nowNanos() + Nanos.ofSeconds(2));
        long[] before = MptcpSchedulerTest.dataSentOnPath(s, 1);
        s.bed.path(1).upAt(s.sim.nowNanos());

        s.assertIntact(s.run(Nanos.ofSeconds(120)));
        long[] after = MptcpSchedulerTest.dataSentOnPath(s, 1);
        assertThat(s.bed.path(1).link().aToB().counters().droppedDown()).as("%s", s).isPositive();
        assertThat(after[0]).as("the client's subflow on path B sent again; %s", s).isGreaterThan(before[0]);
        assertThat(after[1]).as("the server's subflow on path B sent again; %s", s).isGreaterThan(before[1]);
    }

    @Test
    void clientsOwnLinksAreTheBottleneck_tsqKeepsTheirQueuesShort_bothStreamsIntactAndAsFast() {
        Outcome without = run(false);
        Outcome with = run(true);
        String what = String.format("seed %d: without TSQ %s, with %s", SEED, without, with);
        System.out.println(what);
        // TSQ's limit: two offloaded segments (at least a millisecond each at the pacing rate, which
        // is twice the delivery rate in slow start), per subflow; the ACKs of the other stream wait
        // in the same queue. Measured: 24 packets at the peak, against 209 without.
        assertThat(with.peakQueue()).as(what).isLessThanOrEqualTo(40);
        assertThat(with.queueDrops()).as(what).isZero();
        assertThat(without.peakQueue()).as(what).isGreaterThan(100);
        assertThat(with.seconds()).as(what).isLessThan(1.1 * without.seconds());
    }
}
