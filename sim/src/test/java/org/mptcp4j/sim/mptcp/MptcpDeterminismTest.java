package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.PcapTap;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;

/**
 * MPTCP over the simulator replays bit for bit: one seed gives the same capture, byte for byte, of
 * a two-path transfer in both directions over lossy, reordering paths (keys, tokens, nonces and
 * HMACs come from each host's seeded generator like ISNs and ports do); another seed another.
 */
class MptcpDeterminismTest {
    /** More than the 1 MiB send buffers: an end that has written all and half-closed takes no joins (as Linux). */
    private static final long BYTES = 2L << 20;

    /** Runs the exchange to its end (both streams intact) and returns the pcap of both paths. */
    private static byte[] capture(long seed) {
        LossModel loss = LossModel.bernoulli(0.01);
        MptcpScenario s = MptcpScenario.standard(seed, BYTES,
                PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(loss).withReverseLoss(loss),
                PathSpec.of(20_000_000, Duration.ofMillis(25)).withLoss(loss));
        s.bed.path(1).link().aToB().reconfigure(s.bed.path(1).link().aToB().spec()
                .withReordering(0.01, Duration.ofMillis(3)));
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        boolean done;
        long packets;
        try (PcapTap tap = PcapTap.open(pcap)) {
            for (MultipathTestbed.Path p : s.bed.paths()) {
                tap.watch(p.link().aToB(), PcapTap.Point.TRANSMIT).watch(p.link().bToA(), PcapTap.Point.TRANSMIT);
            }
            done = s.run(Nanos.ofSeconds(120));
            packets = tap.packetsWritten();
        }
        s.assertIntact(done);
        s.assertEverySubflowCarriedDataBothWays(2);
        assertThat(packets).as("%s", s).isGreaterThan(2800);
        return pcap.toByteArray();
    }

    @Test
    void sameSeed_givesByteIdenticalPcaps() {
        byte[] first = capture(80);
        byte[] second = capture(80);

        assertThat(second).as("seed 80").isEqualTo(first);
    }

    @Test
    void anotherSeed_givesADifferentPcap() {
        assertThat(capture(81)).as("seeds 80 and 81").isNotEqualTo(capture(80));
    }
}
