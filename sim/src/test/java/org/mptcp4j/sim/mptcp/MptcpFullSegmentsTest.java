package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * Both ends send at once through small receive windows on two lossy paths, without segmentation
 * offload, so every packet is a segment: each data segment is full-sized (the MSS less the widest
 * DSS), except where one had to be short: the end of the stream, the tail of a connection-level
 * reinjection, and the cut a TCP persist probe makes. A Linux receiver charges a short segment the
 * memory of a full one, and a window filled with some short ones overruns its buffer for good when
 * a hole sits at its left edge: the stall KernelEngineInteropTest hit in about one run in 25 to
 * 100 against the kernel under CPU load ({@code PartialSegments}). Before, every mapping that the window or the congestion window cut
 * ended in a short segment, and the first segments, with a 32-bit DATA_ACK, were 4 bytes longer
 * than the later ones.
 */
class MptcpFullSegmentsTest {
    private static final long BYTES = 4L << 20;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {41, 42})
    void smallWindowsBothWaysUnderLoss_dataSegmentsAreFull_exceptStreamEndsAndReinjections(long seed) {
        LossModel loss = LossModel.bernoulli(0.005);
        PathSpec a = MptcpScenario.lossyPath(20_000_000, 10, loss);
        PathSpec b = MptcpScenario.lossyPath(20_000_000, 30, loss);
        // 64 KiB that autotuning may not grow: the peer's window, not the congestion window, is
        // what limits both senders most of the time.
        StackConfig small = StackConfig.defaults().withReceiveBufferBytes(64 << 10).withReceiveBufferMaxBytes(64 << 10);
        MptcpScenario s = MptcpScenario.standard(seed, BYTES, small, a, b).withoutOffload();
        SegmentSizes toServer = new SegmentSizes();
        SegmentSizes toClient = new SegmentSizes();
        s.serverTamper.rule((now, p) -> {
            toServer.count(p.tcp().payloadLength());
            return p;
        });
        s.clientTamper.rule((now, p) -> {
            toClient.count(p.tcp().payloadLength());
            return p;
        });

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        s.assertEverySubflowCarriedDataBothWays(2);
        // 1500-byte MTU: 1460 less timestamps (12) and the widest DSS (28).
        assertThat(toServer.full).as("seed %d: the client's full data segment; %s", seed, s).isEqualTo(1420);
        assertThat(toClient.full).as("seed %d: the server's full data segment; %s", seed, s).isEqualTo(1420);
        assertThat(toServer.segments).as("seed %d", seed).isGreaterThan(BYTES / 1420);
        assertThat(toServer.shortOnes)
                .as("seed %d: short segments to the server of %d, %s; %s", seed, toServer.segments, toServer, s)
                .isLessThanOrEqualTo(allowedShort(s.clientMib()));
        assertThat(toClient.shortOnes)
                .as("seed %d: short segments to the client of %d, %s; %s", seed, toClient.segments, toClient, s)
                .isLessThanOrEqualTo(allowedShort(s.serverMib()));
    }

    /**
     * The short segments a sender may send: one to end the stream, the last of each reinjection,
     * and two for each probe the TCP persist timer sent with data (the piece the peer's window
     * let in, and the rest of the segment it was cut from; Linux's {@code tcp_write_wakeup} cuts
     * the same way).
     */
    private static long allowedShort(Mib sender) {
        return 1 + sender.get(MibCounter.MPTCP_RETRANS) + sender.get(MibCounter.MPTCP_OPPORTUNISTIC_RETRANS)
                + 2 * sender.get(MibCounter.TCP_WIN_PROBE);
    }

    /** The payload sizes of the data segments one host receives: the largest, and how many fell short of it. */
    private static final class SegmentSizes {
        int full;
        long segments;
        long shortOnes;
        private final long[] bySize = new long[65536];

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("short ones by size:");
            for (int i = 1; i < full; i++) {
                if (bySize[i] > 0) {
                    b.append(' ').append(i).append('x').append(bySize[i]);
                }
            }
            return b.toString();
        }

        void count(int payload) {
            if (payload > 0) {
                segments++;
                bySize[payload]++;
                full = Math.max(full, payload);
                shortOnes = segments - bySize[full];
            }
        }
    }
}
